// Pattern writing and checking; see verifier.h for the scheme.
#include "verifier.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace hakbench {
namespace {

const char* g_scenario = "?";
// Only the first few mismatches are printed: one is enough to see the bug,
// thousands would bury it.
constexpr uint64_t kMaxPrinted = 5;

inline uint64_t load(const void* p, size_t word) {
  uint64_t v;
  std::memcpy(&v, static_cast<const char*>(p) + word * 8, 8);
  return v;
}
inline void store(void* p, size_t word, uint64_t v) {
  std::memcpy(static_cast<char*>(p) + word * 8, &v, 8);
}

// Which words of a block get written: all, the page sample (head, one word
// per 4 KiB, tail) or one per cache line (Verifier::Mode).
enum class Walk { kAll, kPages, kLines };

Walk walk_of(size_t n, Verifier::Mode mode) {
  if (mode == Verifier::Mode::kFull) return Walk::kAll;
  if (mode == Verifier::Mode::kLines) return Walk::kLines;
  return n <= Verifier::kFullLimit ? Walk::kAll : Walk::kPages;
}

// Calls f(word_index) for every whole word a block of n bytes gets written.
template <class F>
void for_each_word(size_t n, Walk walk, F&& f) {
  const size_t nw = n / 8;
  if (walk == Walk::kAll) {
    for (size_t j = 0; j < nw; ++j) f(j);
    return;
  }
  if (walk == Walk::kLines) {
    for (size_t j = 0; j < nw; j += 8) f(j);
    if (nw > 1 && (nw - 1) % 8 != 0) f(nw - 1);
    return;
  }
  const size_t head = nw < 8 ? nw : 8;
  const size_t tail = nw >= head + 8 ? nw - 8 : head;
  for (size_t j = 0; j < head; ++j) f(j);
  for (size_t j = 512; j < tail; j += 512) f(j);
  for (size_t j = tail; j < nw; ++j) f(j);
}

// The n % 8 trailing bytes take the low bytes of pattern word n / 8.
uint64_t tail_mask(size_t n) {
  const size_t rem = n % 8;
  return rem == 0 ? 0 : (~0ull >> (64 - 8 * rem));
}

}  // namespace

void set_verifier_context(const char* scenario_name) { g_scenario = scenario_name; }

void Verifier::stamp(void* p, size_t n, uint64_t tag, Mode mode) {
  uint64_t sum = n;  // the size is part of the digest, so a wrong size shows too
  for_each_word(n, walk_of(n, mode), [&](size_t j) {
    const uint64_t w = pattern_word(tag, j);
    store(p, j, w);
    sum += w;
  });
  if (const uint64_t mask = tail_mask(n)) {
    const uint64_t w = pattern_word(tag, n / 8) & mask;
    std::memcpy(static_cast<char*>(p) + (n & ~size_t{7}), &w, n % 8);
    sum += w;
  }
  expected_ += sum;
}

bool Verifier::check(const void* p, size_t n, uint64_t tag, Mode mode) {
  const uint64_t before = failures_;
  uint64_t sum = n;
  for_each_word(n, walk_of(n, mode), [&](size_t j) {
    const uint64_t got = load(p, j);
    sum += got;
    if (got != pattern_word(tag, j)) [[unlikely]]
      mismatch(tag, j * 8, pattern_word(tag, j), got);
  });
  if (const uint64_t mask = tail_mask(n)) {
    uint64_t got = 0;
    std::memcpy(&got, static_cast<const char*>(p) + (n & ~size_t{7}), n % 8);
    const uint64_t want = pattern_word(tag, n / 8) & mask;
    sum += got;
    if (got != want) [[unlikely]] mismatch(tag, n & ~size_t{7}, want, got);
  }
  seen_ += sum;
  return failures_ == before;
}

bool Verifier::check_prefix(const void* p, size_t stamped_n, size_t keep, uint64_t tag,
                            Mode mode) {
  const uint64_t before = failures_;
  for_each_word(stamped_n, walk_of(stamped_n, mode), [&](size_t j) {
    if (j * 8 + 8 > keep) return;
    const uint64_t got = load(p, j);
    if (got != pattern_word(tag, j)) [[unlikely]]
      mismatch(tag, j * 8, pattern_word(tag, j), got);
  });
  if (stamped_n <= keep) {
    if (const uint64_t mask = tail_mask(stamped_n)) {
      uint64_t got = 0;
      std::memcpy(&got, static_cast<const char*>(p) + (stamped_n & ~size_t{7}), stamped_n % 8);
      const uint64_t want = pattern_word(tag, stamped_n / 8) & mask;
      if (got != want) [[unlikely]] mismatch(tag, stamped_n & ~size_t{7}, want, got);
    }
  }
  return failures_ == before;
}

void Verifier::append(void* p, size_t from, size_t to, uint64_t tag) {
  for (size_t j = from / 8; j < to / 8; ++j) {
    const uint64_t w = pattern_word(tag, j);
    store(p, j, w);
    expected_ += w;
  }
}

bool Verifier::check_range(const void* p, size_t from, size_t to, uint64_t tag) {
  const uint64_t before = failures_;
  for (size_t j = from / 8; j < to / 8; ++j) {
    const uint64_t got = load(p, j);
    seen_ += got;
    if (got != pattern_word(tag, j)) [[unlikely]]
      mismatch(tag, j * 8, pattern_word(tag, j), got);
  }
  return failures_ == before;
}

bool Verifier::check_range_unaccounted(const void* p, size_t from, size_t to, uint64_t tag) {
  const uint64_t before = failures_;
  for (size_t j = from / 8; j < to / 8; ++j) {
    const uint64_t got = load(p, j);
    if (got != pattern_word(tag, j)) [[unlikely]]
      mismatch(tag, j * 8, pattern_word(tag, j), got);
  }
  return failures_ == before;
}

bool Verifier::unseal(uint64_t stored, uint64_t recomputed, uint64_t tag) {
  seen_ += stored;
  if (stored == recomputed) return true;
  mismatch(tag, 0, recomputed, stored);
  return false;
}

void Verifier::fail(const char* what) {
  if (failures_++ < kMaxPrinted)
    std::fprintf(stderr, "hakmem-bench: VERIFY FAILED in %s: %s\n", g_scenario, what);
}

void Verifier::mismatch(uint64_t tag, size_t offset, uint64_t want, uint64_t got) {
  if (failures_++ < kMaxPrinted)
    std::fprintf(stderr,
                 "hakmem-bench: VERIFY FAILED in %s: block tag %#" PRIx64 " offset %zu: "
                 "expected %#018" PRIx64 ", found %#018" PRIx64 "\n",
                 g_scenario, tag, offset, want, got);
}

void Verifier::merge(const Verifier& other) {
  expected_ += other.expected_;
  seen_ += other.seen_;
  failures_ += other.failures_;
}

}  // namespace hakbench
