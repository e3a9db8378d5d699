// The secure build (libhakmem_secure, HAKMEM_SECURE=1): the same sources
// with checks that cost time on every operation, compiled in only there, so
// the default build pays no runtime branch for them. What each catches and
// what it does not is in docs/ARCHITECTURE.md (The secure build).
//
// Small and medium blocks in the secure build:
//   [0, 8)         next free block, XOR-encoded with the page's random key
//                  (free blocks only); decoded pointers must lie in the page
//   [8, s - 8)     user data; while free, filled with the page's pattern byte
//   [s - 8, s)     the tail word: the requested size (or kTailFree) and a
//                  check value keyed by address and page key (a canary)
// Requests are served from the class of size + 8, so the tail word is never
// user memory; malloc_usable_size reports the requested size, and the bytes
// between it and the tail word hold the pattern byte: an overflow of even
// one byte is seen when the block is freed (unless it wrote the pattern
// byte itself: 1 in 256), an underflow lands in the previous slot's tail
// word, checked at the same time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/page.h"

namespace hakmem {

#if HAKMEM_SECURE
inline constexpr bool kSecure = true;
#else
inline constexpr bool kSecure = false;
#endif

inline constexpr size_t kTailBytes = kSecure ? 8 : 0;    // per block, secure build only
inline constexpr uint32_t kTailFree = 0xFFFFFFFFu;       // tail word size of a free slot
// Freed blocks are filled (and the fill checked when handed out again) up
// to this many bytes past the link word: write-after-free is caught where
// it usually lands (an object's first fields) at a bounded cost per block.
inline constexpr size_t kFreeFillBytes = 128;

// A fresh random value for a page's key (secure build).
uint64_t secure_page_key();

// malloc(0) in the secure build: a unique 16-aligned address in a reserved,
// inaccessible region (any read or write faults); free recognises it.
void* secure_zero_alloc();
bool secure_zero_owns(const void* p);
void secure_zero_free(void* p);
// Fork handlers (api/init.cpp): the zero-size region's lock.
void secure_locks_acquire();
void secure_locks_release();
void secure_locks_reset_in_child();

namespace secure {

inline uint8_t pattern(const Page* page) { return static_cast<uint8_t>(page->list_key >> 56) | 1; }

inline uint32_t tail_check(const void* slot, uint32_t n, const Page* page) {
    uint64_t x = (reinterpret_cast<uintptr_t>(slot) ^ page->list_key) * 0x9E3779B97F4A7C15ull + n;
    return static_cast<uint32_t>(x >> 32) ^ static_cast<uint32_t>(x);
}
inline uint64_t* tail_word(void* slot, const Page* page) {
    return reinterpret_cast<uint64_t*>(static_cast<uint8_t*>(slot) + page->block_size - 8);
}
inline void set_tail(void* slot, uint32_t n, const Page* page) {
    *tail_word(slot, page) = (uint64_t{n} << 32) | tail_check(slot, n, page);
}
// The size the tail word records, or false when the word is not intact.
inline bool read_tail(void* slot, const Page* page, uint32_t* n) {
    uint64_t w = *tail_word(slot, page);
    *n = static_cast<uint32_t>(w >> 32);
    return static_cast<uint32_t>(w) == tail_check(slot, *n, page) &&
           (*n == kTailFree || *n <= page->block_size - kTailBytes);
}

inline Block* encode(const Block* next, const Page* page) {
    return reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(next) ^ page->list_key);
}
// Decodes a link, checking it points at a block of the same page (or is the
// end of the list); a corrupted link is reported, never followed.
Block* decode_checked(const Block* b, const Page* page);

// The slot's fill from byte `from` to `to` still holds the pattern: a byte
// at a time to the next 8-byte boundary, then a word at a time (callgrind:
// the byte loop alone was most of a secure malloc).
inline bool filled(const void* slot, size_t from, size_t to, uint8_t pattern) {
    const auto* u = static_cast<const uint8_t*>(slot);
    for (; from < to && (from & 7) != 0; ++from)
        if (u[from] != pattern) return false;
    const uint64_t word = 0x0101010101010101ull * pattern;
    uint64_t diff = 0;
    for (; from + 8 <= to; from += 8) {
        uint64_t w;
        std::memcpy(&w, u + from, 8);
        diff |= w ^ word;
    }
    for (; from < to; ++from) diff |= u[from] ^ pattern;
    return diff == 0;
}
inline size_t fill_end(const Page* page) {
    size_t end = page->block_size - kTailBytes;
    return end < 8 + kFreeFillBytes ? end : 8 + kFreeFillBytes;
}

// A block leaves a free list for a request of n bytes: checks the free fill
// (write after free) and the tail word, records n, pads [n, tail) with the
// pattern. Reports corruption (and, in report mode, hands the block out).
void hand_out(Block* b, const Page* page, size_t n);
// A block is freed: checks its tail word (double free, overflow), its pad,
// the previous slot's tail word (underflow), then fills and marks it free.
// Returns false when the free must be ignored (reported corruption).
bool check_and_fill_free(Block* b, const Page* page);
// Carving: every new slot is a free slot (fill and tail word).
inline void init_free_slot(Block* b, const Page* page) {
    std::memset(reinterpret_cast<uint8_t*>(b) + 8, pattern(page), fill_end(page) - 8);
    set_tail(b, kTailFree, page);
}
// The requested size of a live block (malloc_usable_size in the secure build).
size_t usable(Block* b, const Page* page);
// realloc in place to n bytes (n fits the slot): the bytes past n become pad.
void resize(Block* b, const Page* page, size_t n);

}  // namespace secure
}  // namespace hakmem
