# hakmem's front door. `make test` is what CI runs (.ci/run).
#   make test   - configure, build and run every test: release build (with the
#                 golden instruction counts, bench/micro/golden_counts.txt), then the
#                 unit tests under ASan+UBSan, the stress tests under TSan and a
#                 short run of each fuzzer (FUZZ_SMOKE_SECONDS)
#   make fuzz   - the libFuzzer harnesses (fuzz/), FUZZ_SECONDS each, side by side
#   make build  - release build only (build/release)
#   make bench  - the allocator comparison (hakmem-bench), see docs/BENCHMARKS.md
#   make install PREFIX=/usr/local
#   make deb    - Debian packages into build/deb/: libhakmem, libhakmem-dev, hakmem-tools
#                 (CPack, cmake/packaging.cmake; a /usr build of its own in build/deb/build)
#   make abi-baseline - after a deliberate, compatible ABI addition (a new hak_*
#                 function in a new version node of src/api/hakmem.map, with
#                 HAKMEM_ABI_VERSION_MINOR raised): rewrites tests/abi/libhakmem.abi
#                 and tests/abi/exports.txt, which the `abi` tests compare against
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local

# Debian packages the build, the tests and the benchmarks need.
# sqlite3, perl and git are real programs the preload suite runs with hakmem;
# valgrind (callgrind) runs the golden instruction-count test (bench/micro/golden_counts.txt).
# abigail-tools (abidw, abidiff) checks the ABI against tests/abi/libhakmem.abi.
# google-perftools (google-pprof) reads a heap profile in the preload tests.
TEST_PACKAGES  := cmake g++ make pkg-config libgtest-dev libgmock-dev libbenchmark-dev python3 coreutils \
                  sqlite3 perl git valgrind abigail-tools google-perftools
BENCH_PACKAGES := libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev gnuplot-nox
# clang and its compiler-rt (libFuzzer, ASan) for the fuzz preset.
FUZZ_PACKAGES  := clang libclang-rt-dev

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
# The fuzz build compiles the library again (with clang): at most 2 jobs.
FUZZ_JOBS ?= 2

.PHONY: all build test test-release test-asan test-tsan test-fuzz build-fuzz fuzz bench install deps deps-bench \
        deps-fuzz clean abi-baseline deb

all: build

# Installs what is missing when run as root; otherwise prints the exact apt-get line.
deps:
	@scripts/ensure-packages.sh $(TEST_PACKAGES)
deps-bench:
	@scripts/ensure-packages.sh $(BENCH_PACKAGES)
deps-fuzz:
	@scripts/ensure-packages.sh $(FUZZ_PACKAGES)

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

build-fuzz: deps deps-fuzz
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(FUZZ_JOBS)

# A smoke run from the seeds only (a temporary corpus).
test-fuzz: build-fuzz
	scripts/run-fuzzers.sh $(FUZZ_SMOKE_SECONDS)

# The corpus grows in build/fuzz/corpus from one run to the next.
fuzz: build-fuzz
	scripts/run-fuzzers.sh $(FUZZ_SECONDS) build/fuzz/corpus

test: test-release test-asan test-tsan test-fuzz
	@echo "make test: release, asan+ubsan, tsan and fuzz smoke passed"

bench: deps deps-bench build
	build/release/bench/hakmem-bench --quick $(BENCH_ARGS)

abi-baseline: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target abi-baseline

deb: deps
	cmake -S . -B build/deb/build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	      -DHAKMEM_BUILD_TESTS=OFF -DHAKMEM_BUILD_BENCH=OFF >/dev/null
	cmake --build build/deb/build -j $(JOBS)
	cd build/deb/build && cpack -G DEB -B $(CURDIR)/build/deb
	@ls build/deb/*.deb

install: build
	cmake --install build/release --prefix $(PREFIX)

clean:
	rm -rf build
