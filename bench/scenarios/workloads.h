// The three application models that `mixed` interleaves. Each is a small
// state machine advanced one event at a time by step(), so mixed can switch
// between them at any rate; json, mir and vm run one of them alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "support/scenario.h"

namespace hakbench {

// A JSON parser building DOM trees: many small nodes and strings, member
// arrays grown by realloc, each finished document kept for a while and then
// freed as a whole tree (json.cpp).
class JsonWorkload {
 public:
  explicit JsonWorkload(Run& run);
  void step();
  void finish();

 private:
  struct Node;
  Node* new_node(uint32_t kind);
  void add_child(Node* parent, Node* child);
  void free_tree(Node* node);
  void retire_document();

  Run& run_;
  uint64_t next_tag_;
  Node* root_ = nullptr;
  std::vector<Node*> open_;      // containers being filled, innermost last
  std::vector<Node*> finished_;  // ring of completed documents
  size_t oldest_ = 0;
  size_t doc_nodes_ = 0;
  size_t doc_target_ = 0;
};

// A compiler middle end: per-function IR objects of 64 B..64 KiB and
// instruction vectors grown by realloc, all dropped when the function is
// done, plus a few module-level objects that live to the end (mir.cpp).
class MirWorkload {
 public:
  explicit MirWorkload(Run& run);
  void step();
  void finish();

 private:
  struct Block {
    void* p;
    size_t size;
    uint64_t tag;
  };
  struct Vec {
    void* p;
    size_t len;
    size_t cap;
    uint64_t tag;
  };
  void begin_function();
  void end_function();
  void append_instruction();
  void free_block(const Block& b);

  Run& run_;
  uint64_t next_tag_;
  size_t steps_left_ = 0;
  std::vector<Block> function_objects_;
  std::vector<Vec> function_code_;
  std::vector<Block> module_objects_;
};

// A language VM's large-object space: 256 KiB..8 MiB blocks, every page
// written, freed and allocated again in a churn (vm.cpp).
class VmWorkload {
 public:
  explicit VmWorkload(Run& run, size_t slots = 6);
  void step();
  void finish();

 private:
  struct Slot {
    void* p = nullptr;
    size_t size = 0;
    uint64_t tag = 0;
  };
  Run& run_;
  uint64_t next_tag_;
  std::vector<Slot> slots_;
};

}  // namespace hakbench
