// A free block's words, read and written only through these helpers, so
// the secure build's encoding lives in one place (core/secure.h).
//
// The free mark (default build): a free block's second word holds the
// address of its segment's header while the block sits on any free list,
// cleared when it is handed out. A free of a block that still carries the
// mark is a double free (confirmed by the owner against its lists; taken as
// one by a remote thread: no block starts at a segment's header, so user
// data holds that address only by pointing at hakmem's own metadata).
// glibc's tcache uses the same idea with a per-process key; the segment's
// address is already in a register on the free path, where a key would cost
// a load (and the page's address, the mark before, cost a `lea` there: 1
// instruction per free). The secure build marks free slots in their tail
// word instead (core/secure.h).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/page.h"
#include "core/segment.h"
#include "core/secure.h"

namespace hakmem {

__attribute__((always_inline)) inline Block* block_next(const Block* b, const Page* page) {
    if constexpr (kSecure) return secure::decode_checked(b, page);
    (void)page;
    return b->next;
}
// Rewrites the link of a block already on a list (splicing lists).
__attribute__((always_inline)) inline void block_set_next(Block* b, Block* next, const Page* page) {
    if constexpr (kSecure) b->next = secure::encode(next, page);
    else b->next = next;
}
// The mark of blocks of `page`: its segment's address.
__attribute__((always_inline)) inline uintptr_t free_mark_of(const Page* page) {
    return reinterpret_cast<uintptr_t>(page) & ~kSegmentMask;
}
// Whether `b` carries the free mark. `seg` is the segment of `page`: the
// free fast path holds it already, the other callers use the overload below.
__attribute__((always_inline)) inline bool block_marked_free(const Block* b, const Page* page, const Segment* seg) {
    if constexpr (kSecure) {
        uint32_t n;
        return secure::read_tail(const_cast<Block*>(b), page, &n) && n == kTailFree;
    }
    return b->free_mark == reinterpret_cast<uintptr_t>(seg);
}
__attribute__((always_inline)) inline bool block_marked_free(const Block* b, const Page* page) {
    return block_marked_free(b, page, reinterpret_cast<const Segment*>(free_mark_of(page)));
}
// Links `b` in front of `next` and marks it free. (Secure build: the caller
// has checked and filled the slot: secure::check_and_fill_free.)
__attribute__((always_inline)) inline void block_set_free(Block* b, Block* next, const Page* page, const Segment* seg) {
    block_set_next(b, next, page);
    if constexpr (!kSecure) b->free_mark = reinterpret_cast<uintptr_t>(seg);
}
__attribute__((always_inline)) inline void block_set_free(Block* b, Block* next, const Page* page) {
    block_set_free(b, next, page, reinterpret_cast<const Segment*>(free_mark_of(page)));
}
// A block leaves its free list for a request of `n` bytes: clear the mark,
// so the user's next free of it is not mistaken for a double free.
__attribute__((always_inline)) inline void block_hand_out(Block* b, const Page* page, size_t n) {
    if constexpr (kSecure) {
        secure::hand_out(b, page, n);
    } else {
        (void)page;
        (void)n;
        b->free_mark = 0;
    }
}

}  // namespace hakmem
