// Scenario `json`: build and free DOM trees the way a JSON parser does.
//
// Why: parsers are the classic small-object workload. Nodes are 40 B, strings
// 16..512 B skewed small (most keys and values are short), member arrays grow
// by doubling realloc, and a document dies all at once, which stresses
// bulk frees of objects allocated close together in time.
#include "workloads.h"

namespace hakbench {

struct JsonWorkload::Node {
  enum Kind : uint32_t { kNumber, kString, kArray, kObject };
  uint64_t tag;
  uint32_t kind;
  uint32_t count;  // children of a container, bytes of a string
  uint32_t cap;    // capacity of the children array
  uint32_t pad;
  void* data;  // Node** children, or the string bytes
  uint64_t seal;

  static uint64_t seal_of(uint64_t tag, uint32_t kind) { return mix64(tag * 4 + kind); }
};

namespace {
// Depth and document sizes seen in API payloads and config files.
constexpr size_t kMaxDepth = 10;
constexpr size_t kKeepDocuments = 4;  // documents alive at once (requests in flight)
}  // namespace

JsonWorkload::JsonWorkload(Run& run) : run_(run), next_tag_(run.rng.next()) {
  finished_.assign(kKeepDocuments, nullptr);
  open_.reserve(kMaxDepth + 1);
}

JsonWorkload::Node* JsonWorkload::new_node(uint32_t kind) {
  auto* n = static_cast<Node*>(run_.alloc(sizeof(Node)));
  n->tag = next_tag_++;
  n->kind = kind;
  n->count = 0;
  n->cap = 0;
  n->data = nullptr;
  n->seal = Node::seal_of(n->tag, kind);
  run_.verify.seal(n->seal);
  if (kind == Node::kString) {
    // Keys and most values are short; a few long strings reach 512 B.
    const size_t len = run_.rng.skewed(16, 512, 3.0);
    n->count = static_cast<uint32_t>(len);
    n->data = run_.alloc(len);
    run_.verify.stamp(n->data, len, n->tag);
  }
  return n;
}

void JsonWorkload::add_child(Node* parent, Node* child) {
  if (parent->count == parent->cap) {
    const uint32_t cap = parent->cap ? parent->cap * 2 : 4;
    parent->data = run_.resize(parent->data, parent->cap * sizeof(Node*), cap * sizeof(Node*));
    parent->cap = cap;
  }
  static_cast<Node**>(parent->data)[parent->count++] = child;
  ++doc_nodes_;
}

void JsonWorkload::step() {
  if (root_ == nullptr) {
    root_ = new_node(Node::kObject);
    open_.push_back(root_);
    doc_nodes_ = 1;
    doc_target_ = run_.rng.log_uniform(20, 2000);
    return;
  }
  Node* top = open_.back();
  const bool full = doc_nodes_ >= doc_target_;
  if (full || (open_.size() > 1 && run_.rng.chance(0.08))) {
    open_.pop_back();
    if (open_.empty()) retire_document();
    return;
  }
  if (top->kind == Node::kObject) add_child(top, new_node(Node::kString));  // the key
  const uint64_t r = run_.rng.below(100);
  const bool can_nest = open_.size() < kMaxDepth;
  if (r < 50) {
    add_child(top, new_node(Node::kString));
  } else if (r < 80 || !can_nest) {
    add_child(top, new_node(Node::kNumber));
  } else {
    Node* c = new_node(r < 90 ? Node::kArray : Node::kObject);
    add_child(top, c);
    open_.push_back(c);
  }
}

void JsonWorkload::retire_document() {
  Node*& slot = finished_[oldest_];
  if (slot != nullptr) free_tree(slot);
  slot = root_;
  oldest_ = (oldest_ + 1) % finished_.size();
  root_ = nullptr;
}

void JsonWorkload::free_tree(Node* n) {
  run_.verify.unseal(n->seal, Node::seal_of(n->tag, n->kind), n->tag);
  if (n->kind == Node::kString) {
    run_.verify.check(n->data, n->count, n->tag);
    run_.release(n->data, n->count);
  } else if (n->kind == Node::kArray || n->kind == Node::kObject) {
    auto** children = static_cast<Node**>(n->data);
    for (uint32_t i = 0; i < n->count; ++i) free_tree(children[i]);
    if (children != nullptr) run_.release(children, n->cap * sizeof(Node*));
  }
  run_.release(n, sizeof(Node));
}

void JsonWorkload::finish() {
  open_.clear();
  if (root_ != nullptr) free_tree(root_);
  root_ = nullptr;
  for (Node*& doc : finished_) {
    if (doc != nullptr) free_tree(doc);
    doc = nullptr;
  }
}

void run_json(Run& run) {
  JsonWorkload json(run);
  const uint64_t steps = run.cfg.scaled(20'000, 800'000, 8'000'000);
  for (uint64_t i = 0; i < steps; ++i) json.step();
  json.finish();
}

}  // namespace hakbench
