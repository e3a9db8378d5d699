// Installing a Strategy: the one place a new strategy takes effect, whether
// it comes from the HAKMEM_* options (dispatch/process_init.cpp), hak_set_strategy, or
// later the learner. It publishes the values whole (policy/strategy.h) and
// does what the change needs at once instead of at some later slow path:
// the purge thread is allowed or stopped, caches now over a lowered bound
// are trimmed, and a shortened purge delay is scheduled.
//
// Here, above core/ and large/, because trimming reaches into both caches.
#pragma once
#include <cstdint>

#include "policy/strategy.h"

struct hak_strategy;

namespace hakmem {

// HAK_OK, or HAK_E_INVALID (nothing changes) when a value is out of range.
int strategy_install(const StrategyValues& next);
// hak_set_strategy: the fields `in` reaches replace the current ones (read
// under the same lock, so concurrent calls do not undo each other).
int strategy_install_abi(const hak_strategy* in);

// How many strategies hak_set_strategy has installed so far.
uint64_t strategy_abi_installs();
// The learner's install: `next` takes effect only if hak_set_strategy
// installed nothing since the learner read `seen` installs, so the learner
// never undoes the program's own choice. False when it did not install.
bool strategy_install_learned(const StrategyValues& next, uint64_t seen);

// Fork handlers (api/init.cpp): taken before the caches' locks, which an
// install takes while it holds it.
void strategy_install_fork_prepare();
void strategy_install_fork_parent();
void strategy_install_fork_child();

}  // namespace hakmem
