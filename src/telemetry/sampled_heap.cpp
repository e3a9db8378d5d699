#include "telemetry/sampled_heap.h"

#include <cerrno>

#include "core/secure.h"
#include "os/os_lock.h"
#include "os/os_memory.h"
#include "telemetry/telemetry.h"

namespace hakmem {

// Never any thread's heap; every access holds g_lock below. Its pages carve
// one block at a time: samples come one by one, about every 512 KiB of
// allocation, and spread over many classes, so blocks carved ahead (8 KiB
// of them per class page) only cost page faults and resident memory
// (measured on longrun: telemetry on faulted about 200 times more than off).
constinit Heap g_sampled_heap{&g_empty_page, true};

namespace telemetry {
namespace {

os::Lock g_lock;

// The side table: block address -> SampleRecord. Linear probing with
// backward-shift deletion (no tombstones, so probe lengths stay short under
// constant churn). Grows x2 at half full, up to kMaxSlots (2^20 records =
// 40 MiB; at the default interval that is 512 GiB of live sampled memory).
struct Slot {
    uintptr_t addr;  // 0 = empty
    SampleRecord record;
};
constexpr size_t kInitialSlots = 1024;
constexpr size_t kMaxSlots = size_t{1} << 20;

Slot* g_slots = nullptr;
size_t g_capacity = 0;  // a power of two
size_t g_used = 0;

size_t home_of(uintptr_t addr, size_t capacity) {
    uint64_t x = addr >> 4;  // blocks are 16-byte aligned
    x *= 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(x >> 32) & (capacity - 1);
}

void insert_slot(Slot* slots, size_t capacity, uintptr_t addr, const SampleRecord& record) {
    size_t i = home_of(addr, capacity);
    while (slots[i].addr != 0 && slots[i].addr != addr) i = (i + 1) & (capacity - 1);
    slots[i].addr = addr;
    slots[i].record = record;
}

bool grow() {
    size_t capacity = g_capacity == 0 ? kInitialSlots : g_capacity * 2;
    if (capacity > kMaxSlots) return false;
    auto* slots = static_cast<Slot*>(os::map(capacity * sizeof(Slot)));
    if (slots == nullptr) return false;
    for (size_t i = 0; i < g_capacity; ++i)
        if (g_slots[i].addr != 0) insert_slot(slots, capacity, g_slots[i].addr, g_slots[i].record);
    if (g_slots != nullptr) os::unmap(g_slots, g_capacity * sizeof(Slot));
    g_slots = slots;
    g_capacity = capacity;
    return true;
}

bool take(uintptr_t addr, SampleRecord* out) {
    if (g_capacity == 0) return false;
    size_t mask = g_capacity - 1;
    size_t i = home_of(addr, g_capacity);
    while (g_slots[i].addr != addr) {
        if (g_slots[i].addr == 0) return false;
        i = (i + 1) & mask;
    }
    *out = g_slots[i].record;
    // Backward shift: move later entries of the probe run into the hole when
    // their home does not lie (cyclically) in (hole, them].
    size_t hole = i;
    for (size_t j = (i + 1) & mask; g_slots[j].addr != 0; j = (j + 1) & mask) {
        size_t home = home_of(g_slots[j].addr, g_capacity);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays) continue;
        g_slots[hole] = g_slots[j];
        hole = j;
    }
    g_slots[hole].addr = 0;
    --g_used;
    return true;
}

// Every thread's sampled blocks come from this one heap, so a class packed
// as usual would put two threads' small blocks in one cache line (false
// sharing: each thread's writes would steal the line from the other). A
// class whose size is a multiple of a cache line has blocks that own whole
// lines. At one sample per ~512 KiB the rounding costs nothing that matters.
unsigned line_owning_class(size_t size) {
    unsigned cls = class_of_multiple(size, 64);
    return cls < kNumClasses ? cls : class_of(size);
}
}  // namespace

void* sampled_heap_alloc(size_t size, const SampleRecord& record) {
    os::LockGuard guard(g_lock);
    if ((g_used + 1) * 2 > g_capacity && !grow() && g_used + 1 >= g_capacity) return nullptr;
    int saved = errno;
    void* p = heap_alloc_small_slow(&g_sampled_heap, size, line_owning_class(size + kTailBytes));
    if (p == nullptr) {
        errno = saved;  // the caller retries unsampled; its failure sets errno
        return nullptr;
    }
    insert_slot(g_slots, g_capacity, reinterpret_cast<uintptr_t>(p), record);
    ++g_used;
    return p;
}

bool sampled_heap_free(Block* block, SampleRecord* out) {
    os::LockGuard guard(g_lock);
    bool found = take(reinterpret_cast<uintptr_t>(block), out);
    heap_free_local_slow(&g_sampled_heap, block);
    return found;
}

uint64_t sampled_heap_live_records() {
    os::LockGuard guard(g_lock);
    return g_used;
}

void sampled_heap_collect(bool force) {
    os::LockGuard guard(g_lock);
    heap_purge(&g_sampled_heap, force);
}

void sampled_heap_lock() { g_lock.lock(); }
void sampled_heap_unlock() { g_lock.unlock(); }
void sampled_heap_reset_in_child() { g_lock.reset_in_child(); }

}  // namespace telemetry
}  // namespace hakmem
