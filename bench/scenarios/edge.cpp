// Scenario `edge`: the corners of the malloc contract, many times over.
// malloc(0), free(NULL), realloc(NULL, n), realloc(p, 0), 1..16 byte
// blocks, calloc zeroing (including of memory this process just dirtied),
// overflowing calloc, impossible sizes, and malloc_usable_size >= request.
//
// Why: programs depend on these (often without knowing), and they are the
// easiest paths for an allocator to get subtly wrong: a calloc that trusts
// a "fresh" flag on recycled memory, a size-class lookup that misbehaves at
// 0 or 1 byte, a multiplication that overflows. Each violated rule is a
// verification failure (errno values are only counted, see below). The
// timing shows the cost of the tiny-size path.
#include <dlfcn.h>
#include <malloc.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "support/scenario.h"

namespace hakbench {

namespace {

using Block = TaggedBlock;

// Called through volatile values so the compiler cannot fold or warn about
// the deliberately odd requests.
volatile size_t g_zero = 0;
volatile size_t g_huge = static_cast<size_t>(PTRDIFF_MAX) + 1;
void* volatile g_null = nullptr;

// malloc_usable_size is only meaningful from the library that owns the
// pointer; a preloaded allocator that does not export it would send us to
// glibc's, which would misread a foreign block.
bool usable_size_is_ours() {
  Dl_info a{}, b{};
  void* m = dlsym(RTLD_DEFAULT, "malloc");
  void* u = dlsym(RTLD_DEFAULT, "malloc_usable_size");
  return m && u && dladdr(m, &a) && dladdr(u, &b) && a.dli_fname && b.dli_fname &&
         std::strcmp(a.dli_fname, b.dli_fname) == 0;
}

bool all_zero(const void* p, size_t n, size_t step) {
  const auto* c = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; i += step)
    if (c[i] != 0) return false;
  return n == 0 || c[n - 1] == 0;
}

// Requests that cannot be met must return NULL; that is a hard rule. POSIX
// also says errno = ENOMEM, which not every allocator follows (mimalloc
// reports EOVERFLOW for impossible sizes): that is counted, not failed.
void impossible_requests(Run& run, uint64_t tag, uint64_t& errno_deviations) {
  errno = 0;
  void* p = std::malloc(g_huge);
  ++run.ops;
  if (p != nullptr) run.verify.fail("malloc(PTRDIFF_MAX + 1) returned a block");
  errno_deviations += errno != ENOMEM;
  std::free(p);
  // count * size overflows size_t: must fail, not allocate the wrapped size.
  errno = 0;
  p = std::calloc(g_huge, 4);
  ++run.ops;
  if (p != nullptr) run.verify.fail("calloc with an overflowing count * size returned a block");
  errno_deviations += errno != ENOMEM;
  std::free(p);
  // A failed realloc leaves the block alone.
  Block b{run.alloc(100), 100, tag};
  run.verify.stamp(b.p, b.size, b.tag);
  ++run.ops;
  errno = 0;
  if (std::realloc(b.p, g_huge) != nullptr) run.verify.fail("realloc to PTRDIFF_MAX + 1 succeeded");
  errno_deviations += errno != ENOMEM;
  run.verify.check(b.p, b.size, b.tag);
  run.release(b.p, b.size);
}

}  // namespace

void run_edge(Run& run) {
  const uint64_t iterations = run.cfg.scaled(2'000, 150'000, 1'500'000);
  const bool check_usable = usable_size_is_ours();
  std::vector<Block> tiny(64);
  uint64_t tag = 0, errno_deviations = 0;
  for (uint64_t i = 0; i < iterations; ++i) {
    // malloc(0) may return NULL or a unique pointer; either must be freeable.
    void* z = std::malloc(g_zero);
    std::free(z);
    std::free(g_null);
    run.ops += 3;

    // realloc(NULL, n) is malloc; realloc(p, 0) frees p (glibc) or returns
    // a minimal block that must be freed.
    const size_t n = 1 + run.rng.below(15);
    void* p = run.resize(nullptr, 0, n);
    run.verify.stamp(p, n, ++tag);
    run.verify.check(p, n, tag);
    ++run.ops;
    if (void* q = std::realloc(p, g_zero)) {
      ++run.ops;
      std::free(q);
    }
    run.live.sub(n);

    // Tiny blocks with a short life, checked for size and content.
    Block& t = tiny[run.rng.below(tiny.size())];
    if (t.p != nullptr) {
      run.verify.check(t.p, t.size, t.tag);
      run.release(t.p, t.size);
    }
    t = Block{nullptr, 1 + run.rng.below(16), ++tag};
    t.p = run.alloc(t.size);
    if (check_usable && malloc_usable_size(t.p) < t.size) run.verify.fail("malloc_usable_size < request");
    run.verify.stamp(t.p, t.size, t.tag);

    // calloc must zero, also memory recycled from the blocks just freed;
    // now and then a large one, which may come from a cached mapping.
    const bool large = i % 64 == 0;
    const size_t count = large ? run.rng.log_uniform(64, 1024) : 1 + run.rng.below(32);
    const size_t each = large ? 1024 : 1 + run.rng.below(16);
    void* c = std::calloc(count, each);
    ++run.ops;
    if (c == nullptr) Run::out_of_memory("calloc", count * each);
    if (!all_zero(c, count * each, large ? 64 : 1)) run.verify.fail("calloc returned non-zero bytes");
    std::memset(c, 0xA5, count * each);  // dirty it for the next calloc
    std::free(c);
    ++run.ops;

    if (i % 4096 == 0) impossible_requests(run, ++tag, errno_deviations);
  }
  for (Block& t : tiny) {
    if (t.p == nullptr) continue;
    run.verify.check(t.p, t.size, t.tag);
    run.release(t.p, t.size);
  }
  run.metric("errno_not_enomem", static_cast<double>(errno_deviations));
}

}  // namespace hakbench
