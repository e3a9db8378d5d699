# hakmem's front door. `make test` is what CI runs (.ci/run).
#   make test   - configure, build and run every test: release build, then the
#                 unit tests under ASan+UBSan and the stress tests under TSan
#   make build  - release build only (build/release)
#   make bench  - the allocator comparison (hakmem-bench), see docs/BENCHMARKS.md
#   make install PREFIX=/usr/local
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local

# Debian packages the build, the tests and the benchmarks need.
# sqlite3, perl and git are real programs the preload suite runs with hakmem.
TEST_PACKAGES  := cmake g++ make pkg-config libgtest-dev libgmock-dev libbenchmark-dev python3 coreutils \
                  sqlite3 perl git
BENCH_PACKAGES := libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev gnuplot-nox valgrind

.PHONY: all build test test-release test-asan test-tsan bench install deps deps-bench clean

all: build

# Installs what is missing when run as root; otherwise prints the exact apt-get line.
deps:
	@scripts/ensure-packages.sh $(TEST_PACKAGES)
deps-bench:
	@scripts/ensure-packages.sh $(BENCH_PACKAGES)

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

test-release: build
	ctest --preset release -j $(JOBS)

test-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

test-tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS)

test: test-release test-asan test-tsan
	@echo "make test: release, asan+ubsan and tsan suites passed"

bench: deps deps-bench build
	build/release/bench/hakmem-bench --quick $(BENCH_ARGS)

install: build
	cmake --install build/release --prefix $(PREFIX)

clean:
	rm -rf build
