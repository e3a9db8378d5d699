// The large-block mapping cache: freed large mappings stay mapped and serve
// later large requests with no system call and, while their pages are still
// resident, no page faults.
//
// Entries are records in the cache (not in the mappings, so a purged
// mapping keeps no page resident), in 16 buckets by capacity, each a list
// from oldest to newest. An entry is either resident (its memory may still
// be in RAM) or purged (released with madvise: only the address space
// remains, so reuse costs page faults but still no mmap).
//
// Bounds (Strategy): resident entries hold at most large_cache_max bytes;
// beyond that the oldest are released, at least purge_batch_bytes at a
// time, in one batch (os/purge_batch.h). Purged entries keep at most four
// times large_cache_max of address space; beyond that the oldest are
// unmapped. Resident entries unused for the purge delay are released by
// large_cache_decay (from the background thread, or piggybacked on large
// allocations and frees).
//
// Fit: a request of `need` bytes (header and block, page-rounded) takes
// among the entries whose capacity covers it, or can grow in place to cover
// it (capacity in the same 4 MiB slot, see large.cpp), the one whose
// resident extent covers `need` most tightly (no page faults, least memory
// pinned under a small block), else the one with the most resident memory
// (fewest faults). Entries whose resident extent exceeds 2 * need + 2 MiB
// are not taken while they stay resident: a small block would pin that
// memory while it lives. docs/ARCHITECTURE.md (Large blocks) has the
// simulation and measurements behind this.
//
// Thread safety: one lock over the lists, held for list operations only
// (a take examines at most 64 entries). madvise and munmap run after it is
// dropped, under a second lock that serializes releases and is taken around
// fork. Entries leaving the cache are taken off the lists in the same
// critical section that overflows the bound, so the bound holds whenever the
// lock is free; a fork in the few instructions between that and the release
// lock leaves the child those mappings unreleased (a leak, not a corruption).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/segment.h"
#include "policy/strategy.h"

namespace hakmem {

// A cached mapping that holds `need` bytes from its start (grown in place
// with mremap when it was shorter), or nullptr. The caller sets up the header;
// mapping_size, large_resident, large_dirty and huge_advised are restored.
Segment* large_cache_take(size_t need);
// A resident cached mapping of at most one 4 MiB slot, grown in place to
// kSegmentSize, for core's segment_alloc (core/segment.h, SegmentSource):
// among those cached for at least a sixteenth of the purge delay, the one
// with the most memory resident, if that is at least 256 KiB; otherwise
// nullptr. large_resident says how much; nullptr in the secure build.
Segment* large_cache_take_segment();
// Offers a freed mapping (its resident and dirty extents up to date, cookie
// cleared). false: the cache does not keep it and the caller unmaps it.
// Once it returns true the mapping belongs to the cache (another thread may
// already have taken it): the caller must not touch it. `st`: the free's
// snapshot of the Strategy (bounds, batch size, purge delay and mode).
bool large_cache_put(Segment* seg, uint64_t now, const StrategyValues& st);
// Releases entries unused for the purge delay (and those within a quarter
// delay of it, so releases come in batches); with force, releases every
// entry and unmaps the released ones. Returns the next time it has work
// (0 = none).
uint64_t large_cache_decay(uint64_t now, bool force);
// That next time, for piggybacking: one relaxed load.
uint64_t large_cache_next_due();

struct LargeCacheStats {
    uint64_t hits;
    uint64_t misses;
    uint64_t resident_bytes;  // now
    uint64_t purged_bytes;    // now: address space of purged entries
    uint64_t released_bytes;  // cumulative: released with madvise
    uint64_t entries;         // now
    uint64_t to_segments;     // cumulative: mappings that became segments (large_cache_take_segment)
};
LargeCacheStats large_cache_stats();

// Fork handlers (api/init.cpp).
void large_cache_fork_prepare();
void large_cache_fork_parent();
void large_cache_fork_child();

}  // namespace hakmem
