# Coembed — the two commands a newcomer needs are `make demo` and `make test`.
SWIFT ?= swift
REPORT ?= out/demo
DIM ?= 300
SECONDS_PER_SOLVER ?= 20

.PHONY: deps build release demo test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job on the bundled MovieLens data: compare every solver at D = 300 and write a report.
demo: release
	.build/release/coembed compare --dim $(DIM) --time-limit $(SECONDS_PER_SOLVER) --report $(REPORT) --force

# The test suite (OpenBLAS on one thread so timings of parallel tests stay sane).
test: deps
	OPENBLAS_NUM_THREADS=1 $(SWIFT) test

# Performance figures recorded in docs/performance.md.
bench: release
	.build/release/coembed-bench

clean:
	rm -rf .build out
