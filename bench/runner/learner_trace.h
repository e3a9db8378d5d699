// What a learner run tells about itself: the "learner" object hakmem writes
// to HAKMEM_STATS_JSON at exit (src/stats/learner_report.cpp): its own CPU
// time, counts, and the per-epoch history the cost-over-time plot draws.
#pragma once

#include <string>
#include <vector>

namespace hakbench {

struct LearnerEpoch {
  double t_ms = 0;       // the learner's clock (monotonic ms)
  int candidate = 0;     // the strategy that ran this epoch (population index)
  int champion = 0;
  bool in_match = false;
  bool change = false;   // the phase-change detector fired
  double cpu_ns_per_alloc = 0;
  double faults_per_alloc = 0;
  double overhead_bytes = 0;  // memory held beyond live bytes, epoch mean
};

struct LearnerTrace {
  bool found = false;  // the file had a "learner" object
  std::string mode;    // "off", "elo", "ucb1"
  double cpu_ns = 0;   // the learner's own CPU time
  double epochs = 0;
  double matches = 0;
  double switches = 0;
  double playbook_suggestions = 0;  // strategies taken from the playbook
  double playbook_crowns = 0;       // of which made champion at once
  std::vector<LearnerEpoch> history;
};

// Parses the text of a HAKMEM_STATS_JSON file; found = false when it has
// no learner object (an older library, or the file is cut short).
LearnerTrace parse_learner_trace(const std::string& json);
// Reads and parses `path`; found = false when it cannot be read.
LearnerTrace read_learner_trace(const std::string& path);

}  // namespace hakbench
