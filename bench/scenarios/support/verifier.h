// Writes a known pattern into every block a scenario gets and checks it
// before the block is freed, so an allocator that hands out overlapping or
// recycled-while-live memory fails loudly instead of looking fast.
//
// The pattern depends only on (tag, byte offset): word j of a block holds
// mix64(tag ^ j * K). That makes it position-independent of the address, so a
// realloc'd block can be checked against the same tag, and vectors can be
// written a range at a time.
//
// Accounting: every word written by stamp()/append() adds to `expected`, every
// word read back by check()/check_range() adds to `seen`. A block that is
// stamped must be checked exactly once; at the end expected == seen proves no
// block was lost, double-freed in the scenario, or checked twice. `seen` is
// the checksum the scenario reports: it depends only on the seed, so the
// runner also compares it across allocators.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rng.h"

namespace hakbench {

// The value of pattern word `index` (bytes 8*index .. 8*index+7) for `tag`.
inline uint64_t pattern_word(uint64_t tag, uint64_t index) {
  return mix64(tag ^ (index * 0xD6E8FEB86659FD93ull));
}

class Verifier {
 public:
  // Blocks up to this size are written entirely. Larger blocks get their
  // first and last 64 bytes plus one word per 4 KiB: enough to touch every
  // page (so RSS and page faults are real) without turning every scenario
  // into a memset benchmark. Scenarios that model bulk access pass kFull.
  // kLines writes the first word of every 64-byte cache line and the last
  // word, at any size: every line is touched and a block handed out twice is
  // still caught, for an eighth of the cost. For scenarios of many small and
  // mid-sized blocks (server, workingset) where writing every byte would
  // dwarf the allocator's own work.
  static constexpr size_t kFullLimit = 4096;
  enum class Mode { kAuto, kFull, kLines };

  void stamp(void* p, size_t n, uint64_t tag, Mode mode = Mode::kAuto);
  bool check(const void* p, size_t n, uint64_t tag, Mode mode = Mode::kAuto);

  // After realloc: checks, without accounting, the words that a stamp of
  // `stamped_n` bytes wrote inside the first `keep` bytes (keep = the smaller
  // of the old and new size). This verifies the allocator's copy.
  bool check_prefix(const void* p, size_t stamped_n, size_t keep, uint64_t tag,
                    Mode mode = Mode::kAuto);

  // Range forms for vectors filled incrementally. Offsets are multiples of 8.
  void append(void* p, size_t from, size_t to, uint64_t tag);
  bool check_range(const void* p, size_t from, size_t to, uint64_t tag);
  bool check_range_unaccounted(const void* p, size_t from, size_t to, uint64_t tag);

  // Small structured headers (tree nodes) carry their own seal word: the
  // scenario computes it, seal() accounts it when written, unseal() compares
  // it when the node is freed.
  void seal(uint64_t value) { expected_ += value; }
  bool unseal(uint64_t stored, uint64_t recomputed, uint64_t tag);

  // Records a failure that is not a pattern mismatch (edge cases).
  void fail(const char* what);

  void merge(const Verifier& other);
  bool ok() const { return failures_ == 0 && expected_ == seen_; }
  uint64_t failures() const { return failures_; }
  uint64_t checksum() const { return seen_; }
  uint64_t expected() const { return expected_; }

 private:
  void mismatch(uint64_t tag, size_t offset, uint64_t want, uint64_t got);
  uint64_t expected_ = 0;
  uint64_t seen_ = 0;
  uint64_t failures_ = 0;
};

// Name printed in failure messages; set once by main.
void set_verifier_context(const char* scenario_name);

}  // namespace hakbench
