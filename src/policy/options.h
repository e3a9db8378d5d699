// HAKMEM_* options: one table (name, default, range) read once at init with
// an environment scan that never allocates; setuid programs ignore them. A malformed value warns once,
// naming the variable and the default used. docs/OPTIONS.md lists them.
#pragma once
#include <cstdint>

#include "policy/strategy_fields.h"

namespace hakmem {

// The options that are not Strategy fields, then one per Strategy field
// (policy/strategy_fields.h: kPurgeDelayMs, kSegmentCacheMax, kPurgeMode,
// kMmapThreshold, kLargeCache, kPurgeBatch, kHugePages, kPurgeThread).
enum class Option : int {
    kVerbose,          // HAKMEM_VERBOSE: print the options at start and extra diagnostics
    kShowStats,        // HAKMEM_SHOW_STATS: print a summary at exit
    kTelemetry,        // HAKMEM_TELEMETRY: call-site sampling on | off
    kSampleBytes,      // HAKMEM_SAMPLE_BYTES: fixed mean sampling interval (0 = adaptive)
    kStatsJson,        // HAKMEM_STATS_JSON: path of the JSON statistics written at exit
    kHeapProfile,      // HAKMEM_HEAP_PROFILE: path of the pprof heap profile written at exit
    kForeignCache,     // HAKMEM_FOREIGN_CACHE: bytes per class of other threads' blocks a thread keeps
    kOnError,          // HAKMEM_ON_ERROR: abort | report, on detected heap corruption
    kLearn,            // HAKMEM_LEARN: off | elo | ucb1 (learn/learner.h)
    kLearnEpochMs,     // HAKMEM_LEARN_EPOCH_MS: the learner's epoch
    kPlaybook,         // HAKMEM_PLAYBOOK: the learner's playbook file, or "off" (learn/playbook.h)
#define HAKMEM_OPTION_OF_FIELD(type, name, option, ...) option,
    HAKMEM_STRATEGY_FIELDS(HAKMEM_OPTION_OF_FIELD)
#undef HAKMEM_OPTION_OF_FIELD
    kCount
};

// Parses the environment; in a secure-execution (setuid) process ignores it
// and uses the defaults. Idempotent; safe to call from the first malloc.
void options_init();
// Sets every option again: from the environment, or to the defaults when
// `ignore_environment` (what options_init does in a setuid program). Used by
// options_init and by tests, which cannot run as a setuid program.
void options_load(bool ignore_environment);
int64_t option_get(Option opt);
// The text of a string option (HAKMEM_STATS_JSON, HAKMEM_HEAP_PROFILE,
// HAKMEM_PLAYBOOK) or the path given to a bool-or-path option
// (HAKMEM_SHOW_STATS=./stats.txt), nullptr when unset.
const char* option_get_string(Option opt);
void options_print();  // every option and its value (HAKMEM_VERBOSE)

// Exposed for tests: parses `text` as a value of `opt`. Returns false when
// malformed or out of range (out is left unchanged).
bool option_parse(Option opt, const char* text, int64_t* out);
// The range option_parse accepts for `opt` (kString options: 0..1).
void option_range(Option opt, int64_t* min, int64_t* max);
// The environment variable that sets `opt` ("HAKMEM_...").
const char* option_name(Option opt);
// One row of the table as text, for `hakmem options` (tools/hakmem, which
// prints the table generated from these rows at build time: the options
// are written once, here). `kind` is how a value is written ("bool",
// "int 0..3600000", "size", "enum dontneed|free", "string", "bool or path");
// `default_value` as a user would write it (64M, large, unset).
struct OptionText {
    const char* name;
    char kind[96];
    char default_value[32];
    const char* doc;
};
void option_describe(Option opt, OptionText* out);
// What options_init does, on the environment block `envp` (NULL-terminated
// "NAME=value" strings) instead of environ: fills values[] and strings[]
// (Option::kCount entries each; strings point into envp) and warns once per
// malformed value. Exposed for the option fuzzer (fuzz/options_fuzz.cpp).
void options_parse_env(const char* const* envp, int64_t* values, const char** strings);

}  // namespace hakmem
