# Decide: `make demo` sets up and runs the demo; `make test` sets up and runs every test.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build test demo bench screenshot clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

test:
	@scripts/install-deps.sh tmux chromium
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

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
