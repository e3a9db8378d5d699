// The secure build's checks (core/secure.h): link decoding, the tail word
// and pad, the free fill, page keys, and the no-access blocks malloc(0)
// returns. Compiled into every build; called only where kSecure.
#include "core/secure.h"

#include <sys/random.h>

#include <atomic>

#include "core/corruption.h"
#include "os/os_lock.h"
#include "os/os_memory.h"

namespace hakmem {
namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::atomic<uint64_t> g_key_state{0};

}  // namespace

uint64_t secure_page_key() {
    uint64_t s = g_key_state.load(std::memory_order_relaxed);
    if (s == 0) {
        uint64_t seed = 0;
        if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof seed))
            seed = reinterpret_cast<uintptr_t>(&seed) * 0x9E3779B97F4A7C15ull;
        uint64_t expected = 0;
        g_key_state.compare_exchange_strong(expected, seed | 1, std::memory_order_relaxed);
    }
    uint64_t key = mix(g_key_state.fetch_add(0x9E3779B97F4A7C15ull, std::memory_order_relaxed));
    return key != 0 ? key : 1;
}

namespace secure {

Block* decode_checked(const Block* b, const Page* page) {
    Block* next = encode(b->next, page);
    if (next == nullptr) return nullptr;
    uintptr_t off = reinterpret_cast<uintptr_t>(next) - reinterpret_cast<uintptr_t>(page->start);
    // A block start: off < capacity * size and size divides off (off < 2^32 here).
    if (off >= size_t{page->capacity} * page->block_size || !offset_is_block_start(page, off)) {
        heap_corruption(b, "free list link corrupted (overwritten free block)");
        return nullptr;  // report mode: the rest of the list is dropped, never followed
    }
    return next;
}

void hand_out(Block* b, const Page* page, size_t n) {
    uint32_t tail_n;
    const uint8_t pat = pattern(page);
    auto* u = reinterpret_cast<uint8_t*>(b);
    if (!read_tail(b, page, &tail_n) || tail_n != kTailFree)
        heap_corruption(b, "free block's tail canary overwritten (overflow from the block before it?)");
    else if (!filled(b, 8, fill_end(page), pat))
        heap_corruption(b, "write after free");
    const size_t tail = page->block_size - kTailBytes;
    const size_t fe = fill_end(page);
    if (n < 8) std::memset(u + n, pat, 8 - n);  // the link word becomes pad
    if (n < tail && fe < tail) {
        size_t from = n > fe ? n : fe;
        std::memset(u + from, pat, tail - from);
    }
    set_tail(b, static_cast<uint32_t>(n), page);
}

bool check_and_fill_free(Block* b, const Page* page) {
    uint32_t n;
    const uint8_t pat = pattern(page);
    auto* u = reinterpret_cast<uint8_t*>(b);
    if (!read_tail(b, page, &n)) {
        heap_corruption(b, "heap overflow: the block's tail canary was overwritten");
        return false;
    }
    if (n == kTailFree) {
        heap_corruption(b, "double free");
        return false;
    }
    if (!filled(b, n, page->block_size - kTailBytes, pat)) {
        heap_corruption(b, "heap overflow past the requested size");
        return false;
    }
    if (u != page->start) {
        uint32_t prev_n;
        if (!read_tail(u - page->block_size, page, &prev_n)) {
            heap_corruption(b, "heap underflow: the tail canary of the block before it was overwritten");
            return false;
        }
    }
    std::memset(u + 8, pat, fill_end(page) - 8);
    set_tail(b, kTailFree, page);
    return true;
}

void resize(Block* b, const Page* page, size_t n) {
    size_t old = usable(b, page);
    if (n < old) std::memset(reinterpret_cast<uint8_t*>(b) + n, pattern(page), old - n);
    set_tail(b, static_cast<uint32_t>(n), page);
}

size_t usable(Block* b, const Page* page) {
    uint32_t n;
    return read_tail(b, page, &n) && n != kTailFree ? n : 0;
}

}  // namespace secure

// ---- malloc(0): a unique address that faults on any access -------------
namespace {
// One reservation of inaccessible address space, handed out 16 bytes at a
// time; a bitmap (ordinary memory) says which addresses are live, so a
// double free of one is caught too.
constexpr size_t kZeroRegion = size_t{64} << 20;
constexpr size_t kZeroSlots = kZeroRegion / 16;
os::Lock g_zero_lock;
uint8_t* g_zero_base = nullptr;
uint64_t* g_zero_live = nullptr;  // kZeroSlots bits
size_t g_zero_cursor = 0;
}  // namespace

void* secure_zero_alloc() {
    os::LockGuard guard(g_zero_lock);
    if (g_zero_base == nullptr) {
        g_zero_base = static_cast<uint8_t*>(os::reserve_inaccessible(kZeroRegion));
        g_zero_live = static_cast<uint64_t*>(os::map(kZeroSlots / 8));
        if (g_zero_base == nullptr || g_zero_live == nullptr) return nullptr;
    }
    for (size_t tries = 0; tries < kZeroSlots; ++tries) {
        size_t slot = g_zero_cursor;
        g_zero_cursor = (g_zero_cursor + 1) % kZeroSlots;
        uint64_t bit = uint64_t{1} << (slot % 64);
        if (g_zero_live[slot / 64] & bit) continue;
        g_zero_live[slot / 64] |= bit;
        return g_zero_base + slot * 16;
    }
    return nullptr;  // 4 Mi live zero-size blocks
}

bool secure_zero_owns(const void* p) {
    auto* u = static_cast<const uint8_t*>(p);
    return g_zero_base != nullptr && u >= g_zero_base && u < g_zero_base + kZeroRegion;
}

void secure_zero_free(void* p) {
    size_t slot = static_cast<size_t>(static_cast<uint8_t*>(p) - g_zero_base) / 16;
    uint64_t bit = uint64_t{1} << (slot % 64);
    os::LockGuard guard(g_zero_lock);
    if ((reinterpret_cast<uintptr_t>(p) & 15) != 0 || !(g_zero_live[slot / 64] & bit)) {
        heap_corruption(p, "double or invalid free of a zero-size block");
        return;
    }
    g_zero_live[slot / 64] &= ~bit;
}

void secure_locks_acquire() { g_zero_lock.lock(); }
void secure_locks_release() { g_zero_lock.unlock(); }
void secure_locks_reset_in_child() { g_zero_lock.reset_in_child(); }

}  // namespace hakmem
