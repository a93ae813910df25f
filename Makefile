# Decide: `make demo` sets up and runs the demo; `make test` sets up and runs every test.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build test demo bench screenshot clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The suite takes seconds; the time limit turns a hang into a failure that names itself instead of a silent stall.
test:
	@scripts/install-deps.sh tmux chromium
	$(SWIFT) build --build-tests
	timeout --kill-after=30 1200 $(SWIFT) test --skip-build || { status=$$?; [ $$status -eq 124 ] && echo "make test: the tests did not finish within 20 minutes" >&2; exit $$status; }

demo: deps
	$(SWIFT) build -c release --product decide
	@scripts/demo.sh $(RELEASE_BIN)/decide

bench: deps
	$(SWIFT) build -c release --product decide-bench
	$(SWIFT) build -c release --product decide
	$(RELEASE_BIN)/decide-bench
	scripts/bench-compare.sh $(RELEASE_BIN)/decide

screenshot:
	@scripts/install-deps.sh chromium curl
	$(SWIFT) build --product decide
	@scripts/screenshot.sh .build/debug/decide docs/run-page.png

clean:
	rm -rf .build
