# Ferrum: build, run and test. `make help` lists the targets.
#
# On a fresh Debian machine with Go installed (see go.mod for the version):
#   make run    builds and runs ferrumd on its defaults (sim backend, SQLite in ./ferrum-data)
#   make test   installs what the tests need, then vets and tests everything

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO              ?= go
BIN             := bin
FERRUM_DATA_DIR ?= ./ferrum-data
TEST_TIMEOUT    ?= 25m
FUZZTIME        ?= 10s
VERSION         ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS         := -X main.version=$(VERSION) -X github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/daemon.Version=$(VERSION)

# Debian packages the build and the tests need. `deps` installs the missing
# ones and does nothing when all are present. Add client tools here
# (sblim-wbemcli, wsl, libvirt-daemon-system, …) when tests start using them.
DEB_PACKAGES ?= ca-certificates git sblim-wbemcli wsl libxml2-utils curl uuid-runtime
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help deps build run test bench bench-e2e fuzz lint clean conformance testenv testenv-stop

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

deps: ## install missing Debian packages and the Go modules (idempotent, quiet)
	@command -v $(GO) >/dev/null || { echo "deps: Go is not installed; install the Go version go.mod names"; exit 1; }
	@if command -v dpkg-query >/dev/null; then \
	  missing=""; \
	  for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    $(SUDO) apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else \
	  echo "deps: not a Debian system; make sure these are installed: $(DEB_PACKAGES)"; \
	fi
	@$(GO) mod download

build: ## build every command into bin/
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./...

run: deps build ## build, then run ferrumd with FERRUM_DATA_DIR=./ferrum-data
	FERRUM_DATA_DIR=$(FERRUM_DATA_DIR) ./$(BIN)/ferrumd

test: deps ## go vet, then every test, with a summary
	@echo "== go vet ./..."
	@$(GO) vet ./...
	@echo "== go test ./... (timeout $(TEST_TIMEOUT))"
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	set +e; \
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -v ./... 2>&1 | tee "$$log" \
	  | grep --line-buffered -v -E '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)|^PASS$$'; \
	status=$${PIPESTATUS[0]}; \
	set -e; \
	count() { grep -c -E "$$1" "$$log" || true; }; \
	echo "== summary: $$(count '^ok\s') packages ok, $$(count '^FAIL\s') failed, $$(count 'no test files') without tests"; \
	if [ "$$status" -ne 0 ]; then \
	  echo "failing:"; grep -E '^\s*--- FAIL|^FAIL\s' "$$log" | sed 's/^/  /' || true; \
	fi; \
	echo "tests: $$(count '^\s*--- PASS') passed, $$(count '^\s*--- FAIL') failed, $$(count '^\s*--- SKIP') skipped"; \
	exit "$$status"

bench: ## run every benchmark once, with allocations
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-e2e: ## measure a real ferrumd over loopback at 1k, 10k and 100k VMs (CIM-XML, WS-Man, RSS); prints a table
	FERRUM_BENCH_LARGE=1 $(GO) test -run '^$$' -bench EndToEnd -benchtime 1x -timeout 30m ./cmd/ferrumd

fuzz: ## run each fuzz target for FUZZTIME (10s)
	@for pkg in $$($(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...); do \
	  for fn in $$($(GO) test -list '^Fuzz' "$$pkg" | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$fn"; \
	    $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	  done; \
	done

lint: ## gofmt must have nothing to say, and go vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

testenv: ## (root) install and start the real libvirt daemons the libvirt tests use, idempotently
	bash backends/libvirt/testenv/testenv.sh start
	bash backends/libvirt/testenv/testenv.sh status

testenv-stop: ## (root) stop only the libvirt daemons and namespaces testenv started
	bash backends/libvirt/testenv/testenv.sh stop

clean: ## remove bin/ (never the data directory)
	rm -rf $(BIN)

# conformance: build ferrumd and ferrumctl, start a fresh ferrumd on a temporary
# data directory, run the whole conformance suite over CIM-XML and WS-Man, stop it.
CONFORMANCE_PORT     ?= 15989
CONFORMANCE_PASSWORD := conformance-$(shell od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
.PHONY: conformance
conformance: build ## run the conformance suite against a fresh ferrumd
	@data=$$(mktemp -d); log=$$data/ferrumd.log; \
	FERRUM_DATA_DIR=$$data/data FERRUM_HTTP_ADDR=127.0.0.1:$(CONFORMANCE_PORT) FERRUM_HTTPS_ADDR= \
	  FERRUM_ADMIN_PASSWORD='$(CONFORMANCE_PASSWORD)' ./$(BIN)/ferrumd 2>"$$log" & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf "$$data"' EXIT; \
	for i in $$(seq 100); do grep -q 'ferrumd ready' "$$log" && break; kill -0 $$pid || { cat "$$log"; exit 1; }; sleep 0.1; done; \
	./$(BIN)/ferrumctl conformance --url http://127.0.0.1:$(CONFORMANCE_PORT) --user admin \
	  --password '$(CONFORMANCE_PASSWORD)' --protocol both --destructive \
	  --junit $(BIN)/conformance.xml --html $(BIN)/conformance.html
