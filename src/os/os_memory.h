// The platform layer's memory contract. Every mmap, munmap, madvise and
// mremap of hakmem goes through here, which is also where they are counted.
//
// Contract:
//  - Nothing here allocates through malloc; all functions are thread-safe.
//  - map*/remap* return nullptr on failure (errno from the kernel is kept) and
//    never abort. Returned memory is page-aligned, zero-filled, read/write.
//  - unmap/purge/advise take ranges previously returned by map* (or sub-ranges
//    on page boundaries) and return false only on a kernel error; purge and
//    advise leave errno as it was.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hakmem::os {

inline constexpr size_t kPageSize = 4096;  // x86-64 and arm64 Linux base page size used for rounding

enum class PurgeMode : uint32_t { kDontNeed = 0, kFree = 1 };

// A fresh anonymous mapping of `size` bytes.
void* map(size_t size);
// A fresh mapping R of `size` bytes such that (R + offset) % alignment == 0.
// alignment is a power of two >= kPageSize; offset is a multiple of kPageSize.
void* map_aligned(size_t size, size_t alignment, size_t offset = 0);
bool unmap(void* p, size_t size);
// Makes [p, p+size) inaccessible (guard pages) or accessible again; page-aligned.
bool protect(void* p, size_t size, bool accessible);
// A range of address space that faults on any access, not backed by memory
// (reserve-only: PROT_NONE, MAP_NORESERVE).
void* reserve_inaccessible(size_t size);
// Returns the physical pages of [p, p+size) to the OS; the range stays mapped
// and reads back as zero (kDontNeed) or as old-or-zero contents (kFree).
bool purge(void* p, size_t size, PurgeMode mode);

// A page range (start and size multiples of kPageSize).
struct Range {
    void* start;
    size_t size;
};
// purge() for n ranges with as few system calls as the kernel allows: one
// process_madvise() for all of them where the kernel accepts it for this
// advice (Linux 6.13+ with PIDFD_SELF), else one madvise per range. Returns
// the system calls made.
size_t purge_ranges(const Range* ranges, size_t n, PurgeMode mode);

// Transparent huge pages for [p, p+size): MADV_HUGEPAGE (on) or
// MADV_NOHUGEPAGE. Only a hint: false when the kernel has no THP.
bool advise_huge(void* p, size_t size, bool on);

// Grows or shrinks the mapping [p, p+old_size) to new_size at the same
// address (mremap without MREMAP_MAYMOVE). nullptr when the address space
// after it is taken or on error; the mapping is then unchanged.
void* remap_in_place(void* p, size_t old_size, size_t new_size);
// Moves the mapping [p, p+old_size), resized to new_size, onto `target`, a
// mapping of new_size bytes from map* that it replaces (mremap with
// MREMAP_FIXED): the page tables move, no byte is copied. nullptr on failure:
// [p, p+old_size) is unchanged and the caller unmaps target.
void* remap_to(void* p, size_t old_size, size_t new_size, void* target);

// Process-wide OS counters (slow paths only, so plain global atomics).
struct OsCounters {
    uint64_t mmap_calls;
    uint64_t munmap_calls;
    uint64_t madvise_calls;  // purge system calls (madvise or process_madvise)
    uint64_t bytes_mapped;   // currently mapped
    uint64_t bytes_purged;   // cumulative
    uint64_t mmap_bytes;     // cumulative
    uint64_t munmap_bytes;   // cumulative
    uint64_t mremap_calls;
    uint64_t purge_ranges;   // ranges released (several per call when batched)
    uint64_t huge_advice_calls;
};
OsCounters os_counters();

// Resident set size of this process in bytes, from /proc/self/statm (0 if unreadable).
uint64_t resident_bytes();

inline constexpr size_t align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }
inline constexpr uintptr_t align_down(uintptr_t n, size_t a) { return n & ~(uintptr_t)(a - 1); }

}  // namespace hakmem::os
