#include "policy/strategy.h"

#include <atomic>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "hakmem/hakmem.h"
#include "policy/options.h"

namespace hakmem {
namespace {

// ---- the list against the public struct -----------------------------------
// Each field has the public member's type, in the struct's order, and the
// fields with the reserved members and struct_size add up to the whole
// struct: a member added to hak_strategy_t but not to the list (or the
// other way round) fails to compile here.
#define HAKMEM_CHECK_TYPE(type, name, ...) \
    static_assert(std::is_same_v<decltype(hak_strategy_t::name), type>, #name ": type differs from hakmem.h");
HAKMEM_STRATEGY_FIELDS(HAKMEM_CHECK_TYPE)
HAKMEM_STRATEGY_ABI_RESERVED(HAKMEM_CHECK_TYPE)
#undef HAKMEM_CHECK_TYPE

#define HAKMEM_SIZE_OF(type, ...) +sizeof(type)
static_assert(sizeof(size_t) HAKMEM_STRATEGY_FIELDS(HAKMEM_SIZE_OF) HAKMEM_STRATEGY_ABI_RESERVED(HAKMEM_SIZE_OF) ==
                  sizeof(hak_strategy_t),
              "hak_strategy_t has members policy/strategy_fields.h does not list");
#undef HAKMEM_SIZE_OF

constexpr size_t kFieldOffsets[] = {
#define HAKMEM_OFFSET_OF(type, name, ...) offsetof(hak_strategy_t, name),
    HAKMEM_STRATEGY_FIELDS(HAKMEM_OFFSET_OF)
#undef HAKMEM_OFFSET_OF
};
constexpr bool offsets_increase() {
    for (size_t i = 1; i < sizeof kFieldOffsets / sizeof kFieldOffsets[0]; ++i)
        if (kFieldOffsets[i] <= kFieldOffsets[i - 1]) return false;
    return kFieldOffsets[0] == sizeof(size_t);
}
static_assert(offsets_increase(), "policy/strategy_fields.h lists the fields out of the struct's order");

// ---- publication ------------------------------------------------------------
// A ring of copies. An install writes the slot after the current one and
// then publishes its generation; a reader copies the published slot and
// checks that no install has started rewriting that slot meanwhile (the
// install of generation g + kSlots is the first to reuse slot g % kSlots).
// Readers never wait for a writer: an install in progress writes a slot
// nobody is told to read. The slots are relaxed atomics only because C++
// (and TSan) require atomics for memory another thread may write while it
// is read; the loads are plain moves.
struct Slot {
#define HAKMEM_SLOT_MEMBER(type, name, ...) std::atomic<type> name;
    HAKMEM_STRATEGY_FIELDS(HAKMEM_SLOT_MEMBER)
#undef HAKMEM_SLOT_MEMBER
};

constexpr StrategyValues kDefaults = {
#define HAKMEM_DEFAULT(type, name, option, env_name, kind, def, ...) static_cast<type>(def),
    HAKMEM_STRATEGY_FIELDS(HAKMEM_DEFAULT)
#undef HAKMEM_DEFAULT
};

// Four: a reader retries only if three installs complete and a fourth
// starts while it copies a dozen words.
constexpr unsigned kSlots = 4;
// Slot 0 holds the defaults from the start (constant-initialized), so a
// malloc before the options are read sees a whole strategy too.
constinit Slot g_slots[kSlots] = {{
#define HAKMEM_SLOT_DEFAULT(type, name, ...) {kDefaults.name},
    HAKMEM_STRATEGY_FIELDS(HAKMEM_SLOT_DEFAULT)
#undef HAKMEM_SLOT_DEFAULT
}};
constinit std::atomic<uint64_t> g_published{0};  // the current values are in g_slots[g_published % kSlots]
constinit std::atomic<uint64_t> g_writing{0};    // the newest generation an install has started to write

// ---- ranges (the options') -------------------------------------------------
template <class T>
bool in_range(T v, int64_t min, int64_t max) {
    return static_cast<int64_t>(v) >= min && v <= static_cast<uint64_t>(max);
}

}  // namespace

StrategyValues strategy_snapshot() {
    for (;;) {
        uint64_t g = g_published.load(std::memory_order_acquire);
        const Slot& s = g_slots[g % kSlots];
        StrategyValues v;
#define HAKMEM_LOAD(type, name, ...) v.name = s.name.load(std::memory_order_relaxed);
        HAKMEM_STRATEGY_FIELDS(HAKMEM_LOAD)
#undef HAKMEM_LOAD
        // If any load above saw a later install's store, this fence makes
        // that install's g_writing store visible below.
        std::atomic_thread_fence(std::memory_order_acquire);
        if (g_writing.load(std::memory_order_relaxed) < g + kSlots) return v;
    }
}

void strategy_publish(const StrategyValues& v) {
    uint64_t g = g_published.load(std::memory_order_relaxed) + 1;
    g_writing.store(g, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);  // g_writing before any slot store
    Slot& s = g_slots[g % kSlots];
#define HAKMEM_STORE(type, name, ...) s.name.store(v.name, std::memory_order_relaxed);
    HAKMEM_STRATEGY_FIELDS(HAKMEM_STORE)
#undef HAKMEM_STORE
    g_published.store(g, std::memory_order_release);
}

StrategyValues strategy_defaults() { return kDefaults; }

StrategyValues strategy_from_options() {
    StrategyValues v = kDefaults;
#define HAKMEM_FROM_OPTION(type, name, option, ...) v.name = static_cast<type>(option_get(Option::option));
    HAKMEM_STRATEGY_FIELDS(HAKMEM_FROM_OPTION)
#undef HAKMEM_FROM_OPTION
    return v;
}

bool strategy_valid(const StrategyValues& v) {
    bool ok = true;
#define HAKMEM_CHECK_RANGE(type, name, option, env_name, kind, def, min, max, ...) \
    ok = ok && in_range(v.name, min, max);
    HAKMEM_STRATEGY_FIELDS(HAKMEM_CHECK_RANGE)
#undef HAKMEM_CHECK_RANGE
    return ok;
}

// A field is copied when the caller's struct reaches its end; an older
// client's smaller struct is neither written nor read beyond struct_size.
int strategy_export(const StrategyValues& v, hak_strategy* out) {
    if (out == nullptr || out->struct_size < sizeof(size_t)) return HAK_E_INVALID;
    size_t size = out->struct_size;
    auto* bytes = reinterpret_cast<unsigned char*>(out);
#define HAKMEM_EXPORT(type, name, ...)                                    \
    if (offsetof(hak_strategy_t, name) + sizeof(type) <= size)           \
        memcpy(bytes + offsetof(hak_strategy_t, name), &v.name, sizeof(type));
    HAKMEM_STRATEGY_FIELDS(HAKMEM_EXPORT)
#undef HAKMEM_EXPORT
    // Reserved members the caller's struct covers read as zero.
#define HAKMEM_ZERO_RESERVED(type, name)                                  \
    if (offsetof(hak_strategy_t, name) + sizeof(type) <= size) memset(bytes + offsetof(hak_strategy_t, name), 0, sizeof(type));
    HAKMEM_STRATEGY_ABI_RESERVED(HAKMEM_ZERO_RESERVED)
#undef HAKMEM_ZERO_RESERVED
    return HAK_OK;
}

int strategy_import(const hak_strategy* in, const StrategyValues& base, StrategyValues* out) {
    if (in == nullptr || in->struct_size < sizeof(size_t)) return HAK_E_INVALID;
    size_t size = in->struct_size;
    const auto* bytes = reinterpret_cast<const unsigned char*>(in);
    StrategyValues v = base;
#define HAKMEM_IMPORT(type, name, ...)                                    \
    if (offsetof(hak_strategy_t, name) + sizeof(type) <= size)           \
        memcpy(&v.name, bytes + offsetof(hak_strategy_t, name), sizeof(type));
    HAKMEM_STRATEGY_FIELDS(HAKMEM_IMPORT)
#undef HAKMEM_IMPORT
    if (!strategy_valid(v)) return HAK_E_INVALID;
    *out = v;
    return HAK_OK;
}

}  // namespace hakmem
