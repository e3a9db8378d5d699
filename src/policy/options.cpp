#include "policy/options.h"

#include <cstdio>
#include <cstring>

#include "os/os_env.h"
#include "os/os_print.h"
#include "policy/unknown_options.h"

namespace hakmem {
namespace {

// kSize: bytes, with an optional k/m/g suffix (binary units).
// kString: the value is the environment string itself (a path); option_get
// is 1 when it is set and non-empty.
// kBoolOrPath: a bool, or a path (any value containing '/', so that a typo
// of "true" is a malformed value rather than a file name): option_get is 1
// and option_get_string the path.
enum class Kind { kBool, kInt, kSize, kEnum, kString, kBoolOrPath };

struct OptionDesc {
    const char* env_name;
    Kind kind;
    int64_t default_value;
    int64_t min, max;
    const char* const* names;  // kEnum: value i is names[i]
    const char* doc;
};

constexpr const char* kOnErrorNames[] = {"abort", "report", nullptr};
constexpr const char* kLearnNames[] = {"off", "elo", "ucb1", nullptr};
constexpr int64_t kKiB = 1024, kMiB = 1024 * kKiB, kTiB = kMiB * kMiB;

// Indexed by Option. The rows of Strategy fields come from
// policy/strategy_fields.h (their defaults are explained there).
struct OptionTable {
    OptionDesc rows[static_cast<int>(Option::kCount)];
};

constexpr OptionTable make_options() {
    OptionTable t{};
    auto set = [&t](Option o, OptionDesc d) { t.rows[static_cast<int>(o)] = d; };
    set(Option::kVerbose, {"HAKMEM_VERBOSE", Kind::kBool, 0, 0, 1, nullptr, "print options at start and extra diagnostics"});
    set(Option::kShowStats, {"HAKMEM_SHOW_STATS", Kind::kBoolOrPath, 0, 0, 1, nullptr,
                             "print a statistics summary at exit: 1 = to stderr, or a path containing '/' (%p = pid)"});
    // Telemetry: on by default, measured within its 2% budget (docs/ARCHITECTURE.md).
    // HAKMEM_SAMPLE_BYTES=0 keeps the adaptive rate starting at 512 KiB.
    set(Option::kTelemetry, {"HAKMEM_TELEMETRY", Kind::kBool, 1, 0, 1, nullptr, "call-site sampling and per-site statistics"});
    set(Option::kSampleBytes, {"HAKMEM_SAMPLE_BYTES", Kind::kSize, 0, 0, kTiB, nullptr,
                               "fixed mean bytes between samples (0 = adaptive from 512 KiB)"});
    set(Option::kStatsJson, {"HAKMEM_STATS_JSON", Kind::kString, 0, 0, 1, nullptr,
                             "write statistics as JSON to this path at exit (%p = pid)"});
    set(Option::kHeapProfile, {"HAKMEM_HEAP_PROFILE", Kind::kString, 0, 0, 1, nullptr,
                               "write a heap profile for pprof (live and allocated bytes by call site) to this path at "
                               "exit (%p = pid)"});
    // 16 KiB per class: at most 256 KiB per thread over the 16 classes that
    // keep any (core/foreign_cache.h), measured on the server scenario.
    set(Option::kForeignCache, {"HAKMEM_FOREIGN_CACHE", Kind::kSize, 16 * 1024, 0, 1024 * 1024, nullptr,
                                "bytes per size class of other threads' freed blocks a thread keeps for its own next "
                                "allocations (0 = free them to their owners at once)"});
    // Abort by default, as glibc does: a process that carries on with a
    // corrupt heap is what an exploit needs. Value 0, so it also holds for
    // a corruption found before the options are read.
    set(Option::kOnError, {"HAKMEM_ON_ERROR", Kind::kEnum, 0, 0, 1, kOnErrorNames,
                           "on a detected double or invalid free: abort | report (print and ignore)"});
    // Off by default until the learner's benchmark shows it pays
    // (docs/BENCHMARKS.md, "The learner").
    set(Option::kLearn, {"HAKMEM_LEARN", Kind::kEnum, 0, 0, 2, kLearnNames,
                         "online strategy learning: off | elo (tournament) | ucb1 (baseline)"});
    // 100 ms: getrusage's CPU times have tick resolution (4 ms); shorter
    // epochs are noise, longer ones leave few matches in a minute.
    set(Option::kLearnEpochMs, {"HAKMEM_LEARN_EPOCH_MS", Kind::kInt, 100, 10, 60000, nullptr,
                                "the learner's epoch in ms: it scores and may switch strategy this often"});
    // Unset: a file per program under $XDG_CACHE_HOME/hakmem (learn/playbook_path.cpp).
    set(Option::kPlaybook, {"HAKMEM_PLAYBOOK", Kind::kString, 0, 0, 1, nullptr,
                            "the learner's playbook file (off = none; unset = one per program in the user's cache)"});
#define HAKMEM_OPTION_ROW(type, name, option, env_name, kind, def, min, max, names, doc) \
    set(Option::option, {env_name, Kind::kind, def, min, max, names, doc});
    HAKMEM_STRATEGY_FIELDS(HAKMEM_OPTION_ROW)
#undef HAKMEM_OPTION_ROW
    return t;
}

constexpr bool every_row_set(const OptionTable& t) {
    for (const OptionDesc& d : t.rows)
        if (d.env_name == nullptr) return false;
    return true;
}

constexpr OptionTable kTable = make_options();
static_assert(every_row_set(kTable), "an Option has no row in the table");
constexpr const OptionDesc (&kOptions)[static_cast<int>(Option::kCount)] = kTable.rows;

int64_t g_values[static_cast<int>(Option::kCount)];
const char* g_strings[static_cast<int>(Option::kCount)];  // kString values (pointers into environ)
bool g_initialized = false;

bool parse_int(const char* s, int64_t* out) {
    if (*s == 0) return false;
    int64_t v = 0;
    for (; *s; ++s) {
        if (*s < '0' || *s > '9') return false;
        if (v > (INT64_MAX - 9) / 10) return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

// Bytes, with an optional binary suffix: 64k, 32M, 1g, 4MiB.
bool parse_size(const char* s, int64_t* out) {
    const char* end = s;
    while (*end >= '0' && *end <= '9') ++end;
    if (end == s) return false;
    char digits[24];
    size_t n = static_cast<size_t>(end - s);
    if (n >= sizeof digits) return false;
    memcpy(digits, s, n);
    digits[n] = 0;
    int64_t v = 0;
    if (!parse_int(digits, &v)) return false;
    int64_t unit = 1;
    if (*end != 0) {
        switch (*end | 0x20) {
            case 'k': unit = kKiB; break;
            case 'm': unit = kMiB; break;
            case 'g': unit = kMiB * kKiB; break;
            default: return false;
        }
        ++end;
        if (strcasecmp(end, "") != 0 && strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0) return false;
    }
    if (v > INT64_MAX / unit) return false;
    *out = v * unit;
    return true;
}

bool parse_bool(const char* s, int64_t* out) {
    constexpr const char* kTrue[] = {"1", "on", "true", "yes"};
    constexpr const char* kFalse[] = {"0", "off", "false", "no"};
    for (const char* t : kTrue)
        if (strcasecmp(s, t) == 0) return *out = 1, true;
    for (const char* f : kFalse)
        if (strcasecmp(s, f) == 0) return *out = 0, true;
    return false;
}

void print_default(const OptionDesc& d) {
    if (d.kind == Kind::kEnum)
        os::print_line("warning: %s has a malformed value; using the default %s", d.env_name,
                       d.names[d.default_value]);
    else
        os::print_line("warning: %s has a malformed value; using the default %lld", d.env_name,
                       static_cast<long long>(d.default_value));
}

}  // namespace

bool option_parse(Option opt, const char* text, int64_t* out) {
    const OptionDesc& d = kOptions[static_cast<int>(opt)];
    int64_t v = 0;
    bool ok = false;
    switch (d.kind) {
        case Kind::kBool: ok = parse_bool(text, &v); break;
        case Kind::kInt: ok = parse_int(text, &v); break;
        case Kind::kSize: ok = parse_size(text, &v); break;
        case Kind::kString: v = *text != 0; ok = true; break;  // empty = unset
        case Kind::kBoolOrPath: ok = strchr(text, '/') != nullptr ? (v = 1, true) : parse_bool(text, &v); break;
        case Kind::kEnum:
            for (int i = 0; d.names[i] != nullptr; ++i)
                if (strcasecmp(text, d.names[i]) == 0) { v = i; ok = true; }
            if (!ok) ok = parse_int(text, &v);
            break;
    }
    if (!ok || v < d.min || v > d.max) return false;
    *out = v;
    return true;
}

void option_range(Option opt, int64_t* min, int64_t* max) {
    const OptionDesc& d = kOptions[static_cast<int>(opt)];
    *min = d.min;
    *max = d.max;
}

const char* option_name(Option opt) { return kOptions[static_cast<int>(opt)].env_name; }

namespace {

// 67108864 -> "64M": the largest binary unit that divides the value.
void size_text(int64_t v, char* out, size_t n) {
    constexpr struct { int64_t unit; const char* suffix; } kUnits[] = {{kMiB * kKiB, "G"}, {kMiB, "M"}, {kKiB, "k"}};
    for (const auto& u : kUnits) {
        if (v != 0 && v % u.unit == 0) {
            snprintf(out, n, "%lld%s", static_cast<long long>(v / u.unit), u.suffix);
            return;
        }
    }
    snprintf(out, n, "%lld", static_cast<long long>(v));
}

}  // namespace

void option_describe(Option opt, OptionText* out) {
    const OptionDesc& d = kOptions[static_cast<int>(opt)];
    out->name = d.env_name;
    out->doc = d.doc;
    snprintf(out->kind, sizeof out->kind, "?");  // a kind this function does not know yet
    snprintf(out->default_value, sizeof out->default_value, "%lld", static_cast<long long>(d.default_value));
    switch (d.kind) {
        case Kind::kBool:
            snprintf(out->kind, sizeof out->kind, "bool");
            snprintf(out->default_value, sizeof out->default_value, "%lld", static_cast<long long>(d.default_value));
            break;
        case Kind::kInt:
            snprintf(out->kind, sizeof out->kind, "int %lld..%lld", static_cast<long long>(d.min),
                     static_cast<long long>(d.max));
            snprintf(out->default_value, sizeof out->default_value, "%lld", static_cast<long long>(d.default_value));
            break;
        case Kind::kSize:
            snprintf(out->kind, sizeof out->kind, "size");
            size_text(d.default_value, out->default_value, sizeof out->default_value);
            break;
        case Kind::kEnum: {
            size_t len = static_cast<size_t>(snprintf(out->kind, sizeof out->kind, "enum "));
            for (int i = 0; d.names[i] != nullptr && len < sizeof out->kind; ++i)
                len += static_cast<size_t>(
                    snprintf(out->kind + len, sizeof out->kind - len, "%s%s", i ? "|" : "", d.names[i]));
            snprintf(out->default_value, sizeof out->default_value, "%s", d.names[d.default_value]);
            break;
        }
        case Kind::kString:
            snprintf(out->kind, sizeof out->kind, "string");
            snprintf(out->default_value, sizeof out->default_value, "unset");
            break;
        case Kind::kBoolOrPath:
            snprintf(out->kind, sizeof out->kind, "bool or path");
            snprintf(out->default_value, sizeof out->default_value, "%lld", static_cast<long long>(d.default_value));
            break;
    }
}

void options_parse_env(const char* const* envp, int64_t* values, const char** strings) {
    for (int i = 0; i < static_cast<int>(Option::kCount); ++i) {
        const OptionDesc& d = kOptions[i];
        values[i] = d.default_value;
        const char* text = os::env_find(envp, d.env_name);
        if (text != nullptr && !option_parse(static_cast<Option>(i), text, &values[i])) print_default(d);
        bool is_path = (d.kind == Kind::kString && values[i]) ||
                       (d.kind == Kind::kBoolOrPath && text != nullptr && values[i] && strchr(text, '/') != nullptr);
        strings[i] = is_path ? text : nullptr;
    }
}

extern "C" char** environ;

void options_init() {
    if (g_initialized) return;
    // A setuid (secure-execution) program gets the defaults, whatever its
    // environment says: HAKMEM_STATS_JSON and HAKMEM_HEAP_PROFILE would
    // otherwise let the invoking user make it create or replace any file,
    // and the other options let them change its memory behaviour
    // (docs/OPTIONS.md).
    bool secure = os::secure_execution();
    // Before libc has set up the environment (a malloc from the loader),
    // use the defaults and leave the real parse for a later call.
    if (environ == nullptr && !secure) {
        for (int i = 0; i < static_cast<int>(Option::kCount); ++i) g_values[i] = kOptions[i].default_value;
        return;
    }
    options_load(secure);
}

void options_load(bool ignore_environment) {
    options_parse_env(ignore_environment ? nullptr : environ, g_values, g_strings);
    // Not in a setuid program: its environment is ignored, and echoing the
    // invoking user's variable names to its stderr would serve no one.
    if (!ignore_environment) options_warn_unknown(environ);
    g_initialized = true;
    if (g_values[static_cast<int>(Option::kVerbose)]) options_print();
}

int64_t option_get(Option opt) { return g_values[static_cast<int>(opt)]; }
const char* option_get_string(Option opt) { return g_strings[static_cast<int>(opt)]; }

void options_print() {
    for (int i = 0; i < static_cast<int>(Option::kCount); ++i) {
        const OptionDesc& d = kOptions[i];
        if (d.kind == Kind::kEnum)
            os::print_line("option %s=%s (%s)", d.env_name, d.names[g_values[i]], d.doc);
        else if (d.kind == Kind::kString || (d.kind == Kind::kBoolOrPath && g_strings[i]))
            os::print_line("option %s=%s (%s)", d.env_name, g_strings[i] ? g_strings[i] : "", d.doc);
        else
            os::print_line("option %s=%lld (%s)", d.env_name, static_cast<long long>(g_values[i]), d.doc);
    }
}

}  // namespace hakmem
