// Scenario `webserver`: per-request allocations with a web server's size
// mix: 80% under 1 KiB (headers, strings), 15% 1..64 KiB (bodies, buffers),
// 5% over 64 KiB (uploads, rendered pages). Everything a request allocated
// is freed when it completes; 16 requests are in flight, finishing in
// random order.
//
// Why: it mixes the small-object fast path with regular large blocks whose
// lifetime is short, so the cost of mapping and unmapping large blocks (or
// caching them) is paid once per request, as in real servers.
#include <vector>

#include "support/scenario.h"

namespace hakbench {

namespace {

using Block = TaggedBlock;

struct Request {
  std::vector<Block> blocks;
  size_t remaining = 0;  // allocations still to make before it completes
};

constexpr size_t kInFlight = 16;

size_t request_size(Rng& rng) {
  const uint64_t r = rng.below(100);
  if (r < 80) return rng.skewed(16, 1023, 2.0);
  if (r < 95) return rng.log_uniform(1024, 64 * 1024);
  return rng.log_uniform(64 * 1024 + 1, 1024 * 1024);
}

void complete(Run& run, Request& req) {
  for (const Block& b : req.blocks) {
    run.verify.check(b.p, b.size, b.tag);
    run.release(b.p, b.size);
  }
  req.blocks.clear();
  // Requests make 5..200 allocations; most are small.
  req.remaining = run.rng.log_uniform(5, 200);
}

}  // namespace

void run_webserver(Run& run) {
  const uint64_t allocations = run.cfg.scaled(5'000, 200'000, 2'000'000);
  std::vector<Request> requests(kInFlight);
  for (Request& r : requests) {
    r.blocks.reserve(200);
    r.remaining = run.rng.log_uniform(5, 200);
  }
  uint64_t tag = 0;
  for (uint64_t i = 0; i < allocations; ++i) {
    Request& req = requests[run.rng.below(kInFlight)];
    if (req.remaining == 0) complete(run, req);
    Block b{nullptr, request_size(run.rng), ++tag};
    b.p = run.alloc(b.size);
    run.verify.stamp(b.p, b.size, b.tag);
    req.blocks.push_back(b);
    --req.remaining;
  }
  for (Request& r : requests) complete(run, r);
}

}  // namespace hakbench
