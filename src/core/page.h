// A page: a run of equal-size blocks inside a segment, with its own free
// lists. Keeping free lists per page (not one list per size class) keeps
// blocks that are used together close together, lets a page be released as
// soon as its last block is freed, and makes remote frees a push onto one
// page's lock-free list.
//
// Three lists, each owned by one party:
//   free        - blocks the owner allocates from (fast path pops here)
//   local_free  - blocks the owner freed (fast path pushes here); swapped
//                 into `free` when `free` runs dry, so malloc and free do
//                 not fight over one list head
//   thread_free - blocks other threads freed: a lock-free stack they push
//                 with CAS; the owner takes it whole with one fetch_and.
//                 Its low bits carry the page's remote-visible state
//                 (kRemoteFull, kRemoteNotifying), so one CAS both pushes a
//                 block and learns whether the owner must be woken.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace hakmem {

// A free block: the link, and (default build) the free mark. The helpers
// that read and write them are in core/block.h, the one place that knows
// how the secure build encodes them.
struct Block {
    Block* next;
    uintptr_t free_mark;
};

// Low bits of Page::thread_free (blocks are 16-aligned, so they are spare).
//   kRemoteFull      - the page is on its owner's full list: the next remote
//                      free must wake the owner. Set by the owner only, and
//                      only on an empty word (CAS from 0).
//   kRemoteNotifying - a remote thread cleared kRemoteFull with its push and
//                      is now waking the owner: until it clears this bit it
//                      still reads the segment, so the page must not be
//                      released (page_wait_notifier).
// After any other successful push the freeing thread never touches the page
// again: from that moment the owner (or the abandoned-segment sweep) may
// collect the block, free the page and unmap the segment.
inline constexpr uintptr_t kRemoteFull = 1;
inline constexpr uintptr_t kRemoteNotifying = 2;
inline constexpr uintptr_t kRemoteFlags = kRemoteFull | kRemoteNotifying;
inline Block* remote_list(uintptr_t word) { return reinterpret_cast<Block*>(word & ~kRemoteFlags); }

// Set in Page::used while the page sits on its heap's full list. The owner's
// free fast path decrements used and tests the result as a signed value
// (page_used_dec_positive), then the block's free mark, so exactly four
// things send an owner's free to heap_free_owner_rare:
//   - the page's last block (the result is 0): freed there, and the page
//     released unless it is its small class's only page;
//   - the full bit (the result is negative): the count is put back and
//     heap_free_local_slow moves the page back into its class queue;
//   - a page with no live block (the result is -1): a double free or a free
//     of a block never handed out, reported by heap_free_local_slow;
//   - a block carrying the free mark: a double free unless the page's lists
//     say the mark is user data.
inline constexpr uint32_t kPageFullBit = 1u << 31;

struct alignas(64) Page {
    // First cache line: everything the owner's fast paths touch.
    Block* free;
    Block* local_free;
    uint32_t used;        // live blocks, including remote frees not yet collected (| kPageFullBit)
    uint32_t block_size;
    Page* next;           // class queue, full list or purge list (read by free when the page empties)
    Page* prev;
    uint8_t size_class;
    uint8_t purged;       // its memory was returned to the OS since last use
    uint8_t purge_pending; // on its heap's purge list
    uint32_t touched;     // bytes from start that may be resident (what a purge must release)
    uint32_t capacity;    // blocks carved so far (blocks are carved lazily so untouched memory stays unresident)
    // Second cache line: what other threads read and write. A remote free
    // CASes thread_free and validates its pointer with the fields after it,
    // all set when the page is set up, so it never reads the first line,
    // which the owner writes on every malloc and free (reading it would
    // pull that line away from the owner's core on every remote free).
    alignas(64) std::atomic<uintptr_t> thread_free;  // list | kRemoteFull | kRemoteNotifying
    uint8_t* start;       // first block
    uint32_t reserved;    // blocks that fit in the page
    uint32_t area_bytes;  // reserved * block_size: the blocks' extent from start
    uint64_t div_magic;   // UINT64_MAX / block_size + 1: offset_is_block_start's test without a division
    uint8_t in_use;       // assigned to a size class
    uint8_t remote_class; // size_class, for the remote free's counter
    uint8_t foreign_slot; // the heap's foreign cache for this class; 0 (one that never keeps a block) if none
    uint64_t retire_time; // when it became free (purge list); cold
    uint64_t list_key;    // secure build: free-list link key and pad pattern, random per page

    uint32_t live() const { return used & ~kPageFullBit; }
    bool in_full() const { return (used & kPageFullBit) != 0; }
};
static_assert(sizeof(Page) == 128, "two cache lines: the owner's and the remote frees'");

// The owner's free fast path takes one block out of the count: `--used`,
// true when the result is positive as a signed value (false for the page's
// last block, a page with no live block, and a full page). GCC does not fold
// a signed test into the decrement's flags (it loads, subtracts, stores and
// tests: 4 instructions); the asm is the read-modify-write and one branch.
// Instrumented builds keep the plain form, which the sanitizers see.
__attribute__((always_inline)) inline bool page_used_dec_positive(Page* page) {
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
    // The page in a register operand, not an "+m" one: with "+m" GCC built
    // a second copy of the page's address (2 more instructions).
    asm goto("subl $1, %c1(%0)\n\tjle %l[not_positive]"
             :
             : "r"(page), "i"(offsetof(Page, used))
             : "cc", "memory"
             : not_positive);
    return true;
not_positive:
    return false;
#else
    return static_cast<int32_t>(--page->used) > 0;
#endif
}

// Whether `offset` bytes past a page's start is a block start: block_size
// divides it (Lemire's divisibility test: for offset < 2^32, d divides it
// exactly when offset * M mod 2^64 <= M - 1, M = div_magic = 2^64 / d rounded
// up). A multiply instead of a division on every foreign free.
inline bool offset_is_block_start(const Page* page, uint64_t offset) {
    return offset * page->div_magic <= page->div_magic - 1;
}

// The page every empty size-class queue points at: it has no free block, so
// the fast path needs no "is there a page?" check. Never written.
extern Page g_empty_page;

// Carves up to a few KiB more blocks onto `free` (one, or the secure
// build's minimum, with `one`: Heap::carve_one). Precondition: free empty.
void page_extend(Page* page, bool one);
// Moves local_free and thread_free onto free; returns false if nothing came.
// A remote list longer than the page's live count (a cycle: a double free
// that slipped past the mark) is reported as heap corruption, never looped.
bool page_collect(Page* page);
// Prepares a free page for blocks of class `cls`.
void page_init(Page* page, unsigned cls, uint8_t* area, size_t area_size);
// True when blocks freed by other threads wait on the page's thread_free list.
inline bool page_has_remote_frees(const Page* page) {
    return remote_list(page->thread_free.load(std::memory_order_acquire)) != nullptr;
}

}  // namespace hakmem
