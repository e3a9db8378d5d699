// The online learner: at each epoch boundary (a periodic job on the
// background thread, periodic/periodic.h) it reads the process's signals
// once, scores the epoch that ended, feeds the tournament (HAKMEM_LEARN=elo)
// or the UCB1 baseline (HAKMEM_LEARN=ucb1), and installs the strategy the
// next epoch should run (large/strategy_install.h). Never on malloc or free.
//
// Control: a strategy installed by anyone else (hak_set_strategy) freezes
// it for good: the program took control. A phase change (Page-Hinkley on
// the workload signature) reopens the tournament.
//
// Memory: static state only, nothing allocated after start. Fork: the
// child inherits the state and the job and carries on.
#pragma once
#include <cstdint>

#include "learn/config.h"
#include "learn/cost.h"
#include "policy/strategy.h"

namespace hakmem::learn {

enum class Mode : uint32_t { kOff = 0, kElo = 1, kUcb1 = 2 };

// Library constructor (api/init.cpp), after the options' strategy is
// installed and the periodic jobs are set up: starts learning when
// HAKMEM_LEARN asks for it.
void learner_init();

// Starts (or restarts) learning in `mode` from the current strategy, with
// the first epoch starting at now_ms. For learner_init and tests; tests
// pass on_background = false and call learner_tick themselves.
void learner_start(Mode mode, const LearnerConfig& config, uint64_t now_ms, bool on_background = true);
// One epoch boundary at now_ms; returns when the next is due (0: stopped).
// The periodic job's run function; tests call it directly.
uint64_t learner_tick(uint64_t now_ms);
// Stops learning (tests); the strategy in force stays, and nothing more is
// saved to the playbook (call learner_save first to keep it).
void learner_stop();
// At exit (api/init.cpp) and from tests: records what was learned in the
// playbook and flushes it.
void learner_save();

// One epoch of the history (HAKMEM_STATS_JSON carries it).
struct EpochRecord {
    uint64_t time_ms = 0;
    uint16_t candidate = 0;  // which candidate ran
    uint16_t champion = 0;
    uint8_t in_match = 0;
    uint8_t phase_change = 0;
    EpochCost cost;
};
inline constexpr unsigned kHistory = 1024;  // the last this many epochs

inline constexpr unsigned kLearnerCandidates = 16;
struct LearnerCandidateInfo {
    StrategyValues strategy;
    double rating;
    uint32_t wins, losses, draws;
    bool is_default;
};
struct LearnerInfo {
    Mode mode;
    bool frozen;
    uint64_t epochs, matches, switches, champion_changes, phase_changes;
    uint64_t extensions;  // ELO: cycles added to close matches
    uint64_t cpu_ns;  // the learner's own CPU time
    uint64_t playbook_suggestions;  // strategies taken from the playbook
    uint64_t playbook_crowns;       // of which crowned at once (trusted entries)
    uint64_t playbook_at_start;     // playbook entries known when learning started
    uint32_t champion, current, candidates;
    LearnerCandidateInfo candidate[kLearnerCandidates];
};
LearnerInfo learner_info();
// Copies up to `max` of the most recent epochs, oldest first; returns how many.
unsigned learner_history(EpochRecord* out, unsigned max);
// Calls fn for each of the most recent epochs up to epoch `through` (the
// `epochs` of a LearnerInfo read before, so that a report written from both
// describes one moment even if an epoch ended in between), oldest first,
// under the learner's lock (the next epoch boundary waits): for reports,
// which must not allocate a copy.
void learner_history_each(uint64_t through, void (*fn)(const EpochRecord&, void*), void* context);

// Fork handlers (api/init.cpp): a thread reading the learner's state while
// another forks must not leave its lock held in the child.
void learner_fork_prepare();
void learner_fork_parent();
void learner_fork_child();

}  // namespace hakmem::learn
