# Lamport's build. `make run` serves the site; `make test` runs every test.
# Everything the build needs comes from go.mod (Go modules and the templ tool)
# and static/package-lock.json (npm packages).

GO        ?= go
ADDR      ?= :8080
# The server is built as the playground builds readers' programs
# (-trimpath, no cgo), so building it fills the go command's cache with the
# standard library and every dependency exactly as the playground needs
# them, and its warm-up only compiles this module's packages.
BUILD     := CGO_ENABLED=0 $(GO) build -trimpath
RUN       := CGO_ENABLED=0 $(GO) run -trimpath
NPM_STAMP := static/node_modules/.package-lock.json
ASSETS    := static/dist/site.css

.PHONY: all run test generate assets deps lint check bench bench-engine loadtest loadtest-play clean

all: assets
	$(BUILD) -o bin/lamport ./cmd/lamport

## run: serve the site on http://localhost:8080 (content built in; data in ./data)
run: assets
	$(RUN) ./cmd/lamport serve --addr $(ADDR)

## test: every test, including the browser and sandbox suites
test: assets lint
	$(GO) test -count=1 -timeout 30m ./...

## check: validate the content tree (lamport check)
check:
	$(GO) run ./cmd/lamport check

## generate: regenerate templ code and the front-end bundle
generate: deps
	cd site/view && $(GO) tool templ generate -path .
	$(GO) generate ./static

## lint: formatting, vet, and generated code that matches its source
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))" || (gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'); echo 'gofmt needed'; exit 1)
	$(GO) vet ./...
	$(GO) tool templ generate -path site/view >/dev/null
	@git diff --exit-code --stat -- '*_templ.go' || (echo 'generated templ code is stale: run make generate and commit'; exit 1)

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

## loadtest: requests/s of a pattern page vs http.FileServer on the same page (needs wrk)
loadtest: assets
	$(GO) run ./bench/loadtest -d 10s -c 32

## loadtest-play: playground latency (edited, cached, vs go run) and 20 clients for 60 s
loadtest-play: assets
	$(GO) run ./bench/playload -n 20 -c 20 -d 60s

clean:
	rm -rf bin static/dist/site.css static/dist/katex.css static/dist/js static/dist/fonts
