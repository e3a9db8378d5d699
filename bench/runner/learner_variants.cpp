// Which fixed strategies the learner is compared with: the learner's own
// first population (src/learn/population.cpp, drawn with the default seed
// of src/learn/config.h; read back from a run's HAKMEM_STATS_JSON), each one
// knob one step of its grid (src/learn/knobs.cpp) from the default. A
// selector cannot beat the best of its own set, so these are the strategies
// its regret is measured against. bench/tests/learner_test.cpp draws that
// population and fails when this list differs from it (it had drifted: the
// list named lcache=16m and mmap=4m, the population huge=on and segcache).
#include "learner_variants.h"

#include <algorithm>

namespace hakbench {

namespace {

Candidate fixed(std::string name, std::string var, std::string value, std::string why) {
  Candidate c;
  c.name = std::move(name);
  c.env = {{std::move(var), std::move(value)}};
  c.why = std::move(why);
  return c;
}

const std::vector<Candidate>& fixed_candidates() {
  static const std::vector<Candidate> v = {
      fixed("huge=on", "HAKMEM_HUGE_PAGES", "on", "huge pages for small/medium segments too"),
      fixed("delay=1s", "HAKMEM_PURGE_DELAY_MS", "1000", "purge delay one step up: keeps idle memory longer"),
      fixed("lcache=256m", "HAKMEM_LARGE_CACHE", "256m", "large cache one step up"),
      fixed("segcache=32", "HAKMEM_SEGMENT_CACHE", "32", "segment cache one step up"),
      fixed("segcache=2", "HAKMEM_SEGMENT_CACHE", "2", "segment cache one step down"),
      fixed("batch=1m", "HAKMEM_PURGE_BATCH", "1m", "purge batch one step down"),
      fixed("purge=free", "HAKMEM_PURGE_MODE", "free", "MADV_FREE instead of MADV_DONTNEED"),
  };
  return v;
}

}  // namespace

const std::vector<std::string>& learner_fixed_names() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> names;
    for (const Candidate& c : fixed_candidates()) names.push_back(c.name);
    return names;
  }();
  return v;
}

std::vector<LearnerVariant> learner_variants(const std::vector<int>& epoch_ms, const std::vector<std::string>& fixed,
                                             std::string* unknown) {
  std::vector<LearnerVariant> out;
  out.push_back(LearnerVariant{strategy_grid()[0], "", 0});  // the default: no HAKMEM_* at all
  // The default again as a variant: its ratio to the default is the noise
  // floor, against which a regret or a gain of a few percent is read.
  out.push_back(LearnerVariant{strategy_grid()[1], "", 0});
  for (const Candidate& c : fixed_candidates())
    if (fixed.empty() || std::find(fixed.begin(), fixed.end(), c.name) != fixed.end())
      out.push_back(LearnerVariant{c, "", 0});
  for (const std::string& name : fixed) {
    const auto& names = learner_fixed_names();
    if (unknown && std::find(names.begin(), names.end(), name) == names.end()) *unknown = name;
  }
  for (int ms : epoch_ms) {
    for (const char* name : {"ucb1", "elo", "elo+pb"}) {
      LearnerVariant v;
      v.warm = std::string(name) == "elo+pb";
      v.learn = v.warm ? "elo" : name;
      v.epoch_ms = ms;
      v.c.name = ms == 100 ? std::string(name) : std::string(name) + "@" + std::to_string(ms) + "ms";
      v.c.env = {{"HAKMEM_LEARN", v.learn}, {"HAKMEM_LEARN_EPOCH_MS", std::to_string(ms)}};
      v.c.why = "HAKMEM_LEARN=" + v.learn + ", epochs of " + std::to_string(ms) + " ms" +
                (v.warm ? ", a playbook trained by earlier runs" : ", an empty playbook");
      out.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace hakbench
