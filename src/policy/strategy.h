// The runtime Strategy: every policy value of the allocator, as one value.
//
// A slow path takes one snapshot (strategy_snapshot) and uses it for the
// whole operation, so it never sees half of an old strategy and half of a
// new one. A new strategy - from the HAKMEM_* options at start,
// hak_set_strategy(), or later the learner - is installed whole by
// strategy_install (large/strategy_install.h), which publishes it here and
// applies what the change needs; each slow path sees it from its next
// snapshot. The fast paths (core/alloc.h) read none of it.
//
// The fields are listed once, in policy/strategy_fields.h.
#pragma once
#include <cstdint>

#include "os/os_memory.h"
#include "policy/strategy_fields.h"

struct hak_strategy;

namespace hakmem {

// Transparent huge pages (hak_strategy_t::huge_pages).
enum class HugePages : uint32_t { kOff = 0, kOn = 1, kLargeOnly = 2 };

// A plain value: copy it, compare it, keep it for as long as an operation runs.
struct StrategyValues {
#define HAKMEM_STRATEGY_MEMBER(type, name, ...) type name;
    HAKMEM_STRATEGY_FIELDS(HAKMEM_STRATEGY_MEMBER)
#undef HAKMEM_STRATEGY_MEMBER

    os::PurgeMode purge() const { return static_cast<os::PurgeMode>(purge_mode); }
    HugePages huge() const { return static_cast<HugePages>(huge_pages); }
    bool operator==(const StrategyValues&) const = default;
};

// The current strategy, every field from the same install. Never blocks:
// about a dozen loads, retried only if several installs complete while it
// copies. Slow paths only.
StrategyValues strategy_snapshot();

// The list's defaults (what a process has before the options are read).
StrategyValues strategy_defaults();
// The values of the HAKMEM_* options (options_init must have run).
StrategyValues strategy_from_options();
// Whether every field is within its range (the options' ranges).
bool strategy_valid(const StrategyValues& v);

// Makes `v` the current strategy. Callers are serialized and validate
// first: only strategy_install calls it, under its lock.
void strategy_publish(const StrategyValues& v);

// The C ABI view (hak_strategy_t), honouring the caller's struct_size: only
// whole fields the struct reaches are written or read.
int strategy_export(const StrategyValues& v, hak_strategy* out);
// Fields `in` reaches come from it, the others from `base`. HAK_E_INVALID
// for a bad header or an out-of-range value (then *out is unspecified).
int strategy_import(const hak_strategy* in, const StrategyValues& base, StrategyValues* out);

}  // namespace hakmem
