#include "policy/options.h"

#include <cstring>

#include "os/os_env.h"
#include "os/os_print.h"

namespace hakmem {
namespace {

enum class Kind { kBool, kInt, kEnum };

struct OptionDesc {
    const char* env_name;
    Kind kind;
    int64_t default_value;
    int64_t min, max;
    const char* const* names;  // kEnum: value i is names[i]
    const char* doc;
};

constexpr const char* kPurgeModeNames[] = {"dontneed", "free", nullptr};

// The defaults and why:
//  - purge delay 250 ms: long enough that a program cycling through a phase
//    reuses its pages without faults, short enough that RSS visibly falls
//    within a second after a burst.
//  - 8 cached segments (32 MiB of address space, purged after the delay, so
//    not resident): absorbs thread churn without an mmap per new thread.
//  - MADV_DONTNEED: RSS falls immediately and is measurable; MADV_FREE
//    leaves pages counted in RSS until the kernel is under pressure.
constexpr OptionDesc kOptions[] = {
    {"HAKMEM_VERBOSE", Kind::kBool, 0, 0, 1, nullptr, "print options at start and extra diagnostics"},
    {"HAKMEM_SHOW_STATS", Kind::kBool, 0, 0, 1, nullptr, "print a statistics summary at exit"},
    {"HAKMEM_PURGE_DELAY_MS", Kind::kInt, 250, 0, 3600 * 1000, nullptr, "ms before free memory is released"},
    {"HAKMEM_SEGMENT_CACHE", Kind::kInt, 8, 0, 1024, nullptr, "free 4 MiB segments kept for reuse"},
    {"HAKMEM_PURGE_MODE", Kind::kEnum, 0, 0, 1, kPurgeModeNames, "how memory is released: dontneed | free"},
};
static_assert(sizeof kOptions / sizeof kOptions[0] == static_cast<int>(Option::kCount));

int64_t g_values[static_cast<int>(Option::kCount)];
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

extern "C" char** environ;

void options_init() {
    // Before libc has set up the environment (a malloc from the loader),
    // use the defaults and leave the real parse for a later call.
    if (g_initialized) return;
    if (environ == nullptr) {
        for (int i = 0; i < static_cast<int>(Option::kCount); ++i) g_values[i] = kOptions[i].default_value;
        return;
    }
    for (int i = 0; i < static_cast<int>(Option::kCount); ++i) {
        const OptionDesc& d = kOptions[i];
        g_values[i] = d.default_value;
        const char* text = os::env_get(d.env_name);
        if (text != nullptr && !option_parse(static_cast<Option>(i), text, &g_values[i])) print_default(d);
    }
    g_initialized = true;
    if (g_values[static_cast<int>(Option::kVerbose)]) options_print();
}

int64_t option_get(Option opt) { return g_values[static_cast<int>(opt)]; }

void options_print() {
    for (int i = 0; i < static_cast<int>(Option::kCount); ++i) {
        const OptionDesc& d = kOptions[i];
        if (d.kind == Kind::kEnum)
            os::print_line("option %s=%s (%s)", d.env_name, d.names[g_values[i]], d.doc);
        else
            os::print_line("option %s=%lld (%s)", d.env_name, static_cast<long long>(g_values[i]), d.doc);
    }
}

}  // namespace hakmem
