// Scenario `mir`: a compiler's intermediate representation.
//
// Why: compilers allocate medium objects (64 B..64 KiB: symbol tables, basic
// blocks, analysis results) whose lifetime is one function, append to
// instruction vectors that grow by realloc, and keep a small share of
// module-level objects until the end. The per-function bulk free followed by
// a fresh burst of similar sizes is what size-class caches are built for;
// the long-lived module objects pin pages and test fragmentation handling.
#include "workloads.h"

namespace hakbench {

namespace {
constexpr size_t kInstructionBytes = 32;     // one IR instruction record
constexpr size_t kFirstVector = 128;         // 4 instructions
constexpr size_t kMaxVector = 64 * 1024;     // then a new basic block starts
constexpr double kModuleLevelShare = 0.02;   // objects that outlive their function
}  // namespace

MirWorkload::MirWorkload(Run& run) : run_(run), next_tag_(run.rng.next()) {
  function_objects_.reserve(4096);
  function_code_.reserve(256);
}

void MirWorkload::begin_function() {
  // Function sizes are log-uniform: many small helpers, a few huge ones.
  steps_left_ = run_.rng.log_uniform(50, 5000);
}

void MirWorkload::free_block(const Block& b) {
  run_.verify.check(b.p, b.size, b.tag);
  run_.release(b.p, b.size);
}

void MirWorkload::end_function() {
  for (const Block& b : function_objects_) free_block(b);
  function_objects_.clear();
  for (const Vec& v : function_code_) {
    run_.verify.check_range(v.p, 0, v.len, v.tag);
    run_.release(v.p, v.cap);
  }
  function_code_.clear();
}

void MirWorkload::append_instruction() {
  // New basic block now and then, or when the current one is at its cap.
  if (function_code_.empty() || run_.rng.chance(0.03) ||
      function_code_.back().len + kInstructionBytes > kMaxVector)
    function_code_.push_back(Vec{nullptr, 0, 0, next_tag_++});
  Vec& v = function_code_.back();
  if (v.len + kInstructionBytes > v.cap) {
    const size_t cap = v.cap ? v.cap * 2 : kFirstVector;
    v.p = run_.resize(v.p, v.cap, cap);
    v.cap = cap;
    // The allocator copied v.len bytes (or grew in place): check them.
    run_.verify.check_range_unaccounted(v.p, 0, v.len, v.tag);
  }
  run_.verify.append(v.p, v.len, v.len + kInstructionBytes, v.tag);
  v.len += kInstructionBytes;
}

void MirWorkload::step() {
  if (steps_left_ == 0) {
    end_function();
    begin_function();
  }
  --steps_left_;
  const uint64_t r = run_.rng.below(100);
  if (r < 55) {
    append_instruction();
  } else if (r < 95 || function_objects_.empty()) {
    const Block b{nullptr, run_.rng.log_uniform(64, 64 * 1024), next_tag_++};
    Block placed = b;
    placed.p = run_.alloc(b.size);
    run_.verify.stamp(placed.p, placed.size, placed.tag);
    if (run_.rng.chance(kModuleLevelShare))
      module_objects_.push_back(placed);
    else
      function_objects_.push_back(placed);
  } else {
    // An analysis result invalidated early.
    const size_t i = run_.rng.below(function_objects_.size());
    free_block(function_objects_[i]);
    function_objects_[i] = function_objects_.back();
    function_objects_.pop_back();
  }
}

void MirWorkload::finish() {
  end_function();
  for (const Block& b : module_objects_) free_block(b);
  module_objects_.clear();
}

void run_mir(Run& run) {
  MirWorkload mir(run);
  const uint64_t steps = run.cfg.scaled(5'000, 400'000, 4'000'000);
  for (uint64_t i = 0; i < steps; ++i) mir.step();
  mir.finish();
}

}  // namespace hakbench
