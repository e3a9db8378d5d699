// What `hakmem-bench --learner` runs hakmem with on each scenario: the
// default strategy, the fixed strategies the learner starts from (one knob
// step from the default on its grids, src/learn/knobs.cpp), and the
// learner itself, HAKMEM_LEARN=ucb1 and =elo, at each epoch length asked for.
#pragma once

#include <string>
#include <vector>

#include "strategy_grid.h"

namespace hakbench {

struct LearnerVariant {
  Candidate c;        // name and HAKMEM_* settings; c.is_default for the default
  std::string learn;  // "" for a fixed strategy, else "ucb1" or "elo"
  int epoch_ms = 0;   // HAKMEM_LEARN_EPOCH_MS of a learner
  // An ELO learner that starts from what earlier runs of the same scenario
  // put in its playbook (learner_run.cpp: one unscored training run before
  // the first round, then every warm run of the rounds before). Every
  // other learner starts from an empty playbook of its own: the first run
  // of a program.
  bool warm = false;
  bool fixed() const { return learn.empty(); }
};

// The default first, the default again as a noise control (c.is_control),
// then the fixed strategies, then per epoch length UCB1, ELO and ELO with a
// trained playbook (named "ucb1", "elo", "elo+pb", or "ucb1@50ms" for other
// epochs than the library's default of 100 ms).
// `fixed`: the fixed strategies to keep by name (empty: all); an unknown
// name sets *unknown and is skipped.
std::vector<LearnerVariant> learner_variants(const std::vector<int>& epoch_ms,
                                             const std::vector<std::string>& fixed = {},
                                             std::string* unknown = nullptr);

// The names of the fixed strategies (the learner's first population).
const std::vector<std::string>& learner_fixed_names();

}  // namespace hakbench
