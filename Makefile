# Lamport's build. `make run` serves the site; `make test` runs every test.
# Everything the build needs comes from go.mod (Go modules and the templ tool)
# and static/package-lock.json (npm packages).

GO        ?= go
SHELL     := bash
.SHELLFLAGS := -o pipefail -ec
ADDR      ?= :8080
# The server is built as the playground builds readers' programs
# (-trimpath, no cgo), so building it fills the go command's cache with the
# standard library and every dependency exactly as the playground needs
# them, and its warm-up only compiles this module's packages.
BUILD     := CGO_ENABLED=0 $(GO) build -trimpath
RUN       := CGO_ENABLED=0 $(GO) run -trimpath
NPM_STAMP := static/node_modules/.package-lock.json
ASSETS    := static/dist/site.css

.PHONY: all run test generate assets deps lint check render lighthouse cover bench bench-engine bench-hover loadtest loadtest-play loadtest-search clean

all: assets
	$(BUILD) -o bin/lamport ./cmd/lamport

## run: serve the site on http://localhost:8080 (content built in; data in ./data)
run: assets
	$(RUN) ./cmd/lamport serve --addr $(ADDR)

# Unit packages run under the race detector; the end-to-end suites (real
# builds, child processes, a browser) run without it. CI sets
# TESTFLAGS=-count=1; locally the test cache skips what has not changed.
# Demo packages have no tests of their own: TestDemoOutput and the
# conformance test build and run each one, so the unit stage leaves them
# out rather than compile each a second time for a 0% coverage line.
TESTFLAGS ?=
E2E       := ./tests/...
UNIT       = $(shell $(GO) list ./... | grep -v -e '/tests' -e '/demo$$')

# COVERCHECK passes go test -cover output through and fails when a
# pattern package (content/patterns/X, not its demo) is below COVER_MIN.
COVER_MIN ?= 90
COVERCHECK = awk -v min=$(COVER_MIN) '{ print } \
	/^FAIL/ { failed = 1 } \
	match($$0, /content\/patterns\/[a-z0-9]+[ \t].*coverage: [0-9.]+%/) { \
		split(substr($$0, RSTART, RLENGTH), f, /[ \t]+/); c = $$0; sub(/.*coverage: /, "", c); sub(/%.*/, "", c); \
		if (c + 0 < min) low = low "\n  " f[1] " " c "%" } \
	END { if (low != "") { print "coverage below " min "%:" low; exit 1 } if (failed) exit 1 }'

## test: every test, including the browser and sandbox suites (and pattern coverage)
test: assets lint
	$(GO) test $(TESTFLAGS) -race -cover -timeout 20m $(UNIT) | $(COVERCHECK)
	$(GO) test $(TESTFLAGS) -timeout 30m $(E2E)

## check: validate the content tree (lamport check)
check:
	$(GO) run ./cmd/lamport check

## render: draw the content's diagrams (SVG) and formulas (MathML) into
## content/patterns/*/rendered, in headless Chromium; commit what changes
## (check fails while a figure's rendering is missing or stale)
render: deps
	$(GO) run ./cmd/lamport render

## lighthouse: Lighthouse 12 (mobile) on a pattern page with diagrams and math, in Debian's chromium; not part of make test
lighthouse: assets
	cd bench/lighthouse && npm ci --no-audit --no-fund
	$(GO) run ./bench/lighthouse

## cover: statement coverage of every pattern package; fails below 90%
cover:
	$(GO) test -cover ./content/patterns/... | $(COVERCHECK)

## generate: regenerate templ code and the front-end bundle
generate: deps
	cd site/view && $(GO) tool templ generate -path .
	$(GO) generate ./static

## lint: formatting, vet, staticcheck, a tidy go.mod (generated code is checked by go test ./tests)
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))" || (gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'); echo 'gofmt needed'; exit 1)
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff

deps: $(NPM_STAMP)
	$(GO) mod download

$(NPM_STAMP): static/package.json static/package-lock.json
	cd static && npm ci --no-audit --no-fund
	@touch $@

assets: $(ASSETS)

$(ASSETS): $(NPM_STAMP) $(wildcard static/src/*) static/build/main.go
	$(GO) generate ./static

## bench: Go benchmarks of page rendering, content loading, search and the patterns
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./site/ ./content/... ./search/

## bench-engine: the workflow engine side by side with DBOS Transact Go on SQLite (own module)
bench-engine:
	cd bench/engine && $(GO) run . -n 1000

## bench-hover: the whole graph's hover in a DevTools performance trace (frames per second while the pointer crosses /en/graph, headless Chromium); not part of make test
bench-hover: assets
	$(GO) run ./bench/graphhover

## loadtest: requests/s of a pattern page vs http.FileServer on the same page (needs wrk)
loadtest: assets
	$(GO) run ./bench/loadtest -d 10s -c 32

## loadtest-search: cached page requests/s alone and beside 32 searching clients; RSS under distinct query strings (needs wrk)
loadtest-search: assets
	$(GO) run ./bench/searchload

## loadtest-play: playground latency (edited, cached, vs go run) and 20 clients for 60 s
loadtest-play: assets
	$(GO) run ./bench/playload -n 20 -c 20 -d 60s

clean:
	rm -rf bin static/dist/site.css static/dist/katex.css static/dist/js static/dist/fonts
