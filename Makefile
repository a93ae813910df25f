# Decide: `make demo` sets up and runs the demo; `make test` sets up and runs every test.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build test demo bench sanitize screenshot clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The suite takes a minute or two; the time limit turns a hang into a failure that names itself instead of a silent
# stall. It runs beside a throwaway PostgreSQL cluster (scripts/with-postgres.sh), so that the store suites run on both
# stores. Then the API's contract from outside: docs/openapi.yaml validated and Schemathesis against a live server.
test:
	@scripts/install-deps.sh tmux chromium curl
	$(SWIFT) build --build-tests
	timeout --kill-after=30 1200 scripts/with-postgres.sh $(SWIFT) test --skip-build || { status=$$?; [ $$status -eq 124 ] && echo "make test: the tests did not finish within 20 minutes" >&2; exit $$status; }
	scripts/api-contract.sh .build/debug/decide

demo: deps
	$(SWIFT) build -c release --product decide
	@scripts/demo.sh $(RELEASE_BIN)/decide

bench: deps
	$(SWIFT) build -c release --product decide-bench
	$(SWIFT) build -c release --product decide
	$(RELEASE_BIN)/decide-bench
	scripts/bench-compare.sh $(RELEASE_BIN)/decide $(RELEASE_BIN)/decide-bench
	scripts/with-postgres.sh scripts/bench-scale.sh $(RELEASE_BIN)/decide

# The sandbox's tests under AddressSanitizer and UndefinedBehaviorSanitizer: Decide's own C (the sandbox) and Swift
# are instrumented; Lua itself is Debian's prebuilt static library and is not (docs/sandbox.md). Not part of
# `make test`: the instrumented build takes minutes on its own.
SANITIZE_BUILD = .build/sanitize
sanitize: deps
	$(SWIFT) build --build-tests --scratch-path $(SANITIZE_BUILD) --sanitize=address \
		-Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
	UBSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --scratch-path $(SANITIZE_BUILD) \
		--sanitize=address --filter 'LuaRuntimeTests|DecisionEngineTests'

screenshot:
	@scripts/install-deps.sh chromium curl
	$(SWIFT) build --product decide
	@scripts/screenshot.sh .build/debug/decide docs/run-page.png

clean:
	rm -rf .build
