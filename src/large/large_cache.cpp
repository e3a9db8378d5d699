#include "large/large_cache.h"

#include <atomic>

#include "core/intrusive_list.h"
#include "core/secure.h"
#include "core/segment_map.h"
#include "os/os_clock.h"
#include "os/os_lock.h"
#include "os/os_memory.h"
#include "os/purge_batch.h"
#include "policy/strategy.h"

namespace hakmem {
namespace {

// Bucket b holds capacities in (4 MiB * b, 4 MiB * (b + 1)]; the last one
// also everything larger (blocks above 64 MiB only when the Strategy raises
// the mmap threshold that far).
constexpr unsigned kBuckets = 16;
// Entries (resident and purged together). Their records live here, not in
// the mappings, so a purged mapping keeps no page resident at all: 4096
// records are 256 KiB of .bss, touched only as far as they are used.
constexpr size_t kMaxEntries = 4096;
// Purged mappings are kept up to this many times large_cache_max of
// address space: reusing one costs page faults but no mmap, and while the
// cache overflows, its releases stay batched madvise calls instead of one
// munmap per block.
constexpr size_t kPurgedFactor = 4;
// Entries a take() examines at most, so the lock is held briefly even when
// the cache holds hundreds of small mappings.
constexpr unsigned kMaxScan = 64;
// A mapping becomes a segment only with at least this much resident: less
// saves a few faults but takes a mapping a large request may reuse.
constexpr size_t kMinSegmentReuse = 256 * 1024;

unsigned bucket_of(size_t bytes) {
    size_t b = (bytes - 1) >> kSegmentShift;
    return b < kBuckets ? static_cast<unsigned>(b) : kBuckets - 1;
}

// A cached mapping. The header fields a reused block needs are copied here
// on put and back on take: a purge zeroes the header page with the rest.
struct Entry {
    Segment* seg;
    size_t cap;         // mapping_size
    size_t resident;    // bytes from seg that may be resident (0 once purged)
    size_t dirty;       // bytes from seg that may be non-zero
    uint64_t free_time;
    uint8_t huge;
    Entry* next;
    Entry* prev;
};

// Oldest first (front), newest last (back).
using List = IntrusiveList<Entry>;

struct Cache {
    os::Lock lock;
    List resident[kBuckets];
    List purged[kBuckets];
    size_t resident_bytes = 0;  // sum of `resident` over resident entries
    size_t purged_bytes = 0;    // sum of `cap` over purged entries
    size_t entries = 0;
    Entry pool[kMaxEntries] = {};
    size_t pool_used = 0;       // records handed out from the pool's start
    Entry* free_records = nullptr;
    // Counters, read without the lock.
    std::atomic<uint64_t> hits{0}, misses{0}, released{0}, to_segments{0};

    Entry* new_entry() {
        if (Entry* e = free_records) {
            free_records = e->next;
            return e;
        }
        return pool_used < kMaxEntries ? &pool[pool_used++] : nullptr;
    }
    void delete_entry(Entry* e) {
        e->next = free_records;
        free_records = e;
    }
    // The oldest entry over the buckets (bucket heads only).
    static Entry* oldest(List* lists) {
        Entry* best = nullptr;
        for (unsigned b = 0; b < kBuckets; ++b) {
            Entry* e = lists[b].front();
            if (e != nullptr && (best == nullptr || e->free_time < best->free_time)) best = e;
        }
        return best;
    }
    void remove_resident(Entry* e) {
        resident[bucket_of(e->cap)].remove(e);
        resident_bytes -= e->resident;
        --entries;
    }
    void remove_purged(Entry* e) {
        purged[bucket_of(e->cap)].remove(e);
        purged_bytes -= e->cap;
        --entries;
    }
};

constinit Cache g_cache;  // constant-initialized: the first malloc may come before constructors
constinit os::Lock g_release_lock;  // held across a release (lock order: g_release_lock, then g_cache.lock)
std::atomic<uint64_t> g_next_due{0};

void bump(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }

// Back into the header of a mapping leaving the cache.
Segment* restore(const Entry& e) {
    Segment* seg = e.seg;
    seg->mapping_size = e.cap;
    seg->large_resident = e.resident;
    seg->large_dirty = e.dirty;
    seg->huge_advised = e.huge;
    return seg;
}

void unmap_mapping(Segment* seg, size_t cap) {
    segment_map_set(seg, false);
    os::unmap(seg, cap);
}

// Entries taken out of the cache for release: collected under g_cache.lock,
// released after it is dropped (under g_release_lock), and the purged ones
// put back under it again.
class Release {
public:
    bool full() const { return batch_.full(); }
    bool empty() const { return purging_ == nullptr && unmapping_count_ == 0; }

    // A resident entry the caller took off its list: purged and kept if the
    // purged set has room, else unmapped. Precondition: !full(), !unmaps_full().
    void add(Entry* e, size_t purged_limit) {
        if (g_cache.purged_bytes + purging_bytes_ + e->cap <= purged_limit) {
            // Up to the dirty extent too: after a MADV_FREE purge the
            // mapping is not resident but may still read back old bytes;
            // run() calls it clean after a MADV_DONTNEED, so that must
            // cover them (calloc relies on it). Found by fuzz/api_fuzz.
            batch_.add(e->seg, e->resident > e->dirty ? e->resident : e->dirty);
            e->next = purging_;
            purging_ = e;
            purging_bytes_ += e->cap;
        } else {
            add_unmap(e);
        }
    }
    // Precondition: !unmaps_full().
    void add_unmap(Entry* e) {
        unmapping_[unmapping_count_++] = {e->seg, e->cap};
        g_cache.delete_entry(e);
    }
    bool unmaps_full() const { return unmapping_count_ == kMaxUnmap; }

    // Without g_cache.lock.
    void run(os::PurgeMode mode) {
        size_t bytes = batch_.bytes();
        batch_.flush(mode);
        for (size_t i = 0; i < unmapping_count_; ++i) unmap_mapping(unmapping_[i].seg, unmapping_[i].cap);
        unmapping_count_ = 0;
        if (purging_ == nullptr) return;
        os::LockGuard guard(g_cache.lock);
        bump(g_cache.released, bytes);
        while (Entry* e = purging_) {
            purging_ = e->next;
            e->resident = 0;
            if (mode == os::PurgeMode::kDontNeed) e->dirty = 0;
            g_cache.purged[bucket_of(e->cap)].push_back(e);
            g_cache.purged_bytes += e->cap;
            ++g_cache.entries;
        }
        purging_bytes_ = 0;
    }

private:
    static constexpr size_t kMaxUnmap = os::PurgeBatch::kCapacity;
    struct Mapping { Segment* seg; size_t cap; };
    os::PurgeBatch batch_;
    Entry* purging_ = nullptr;
    size_t purging_bytes_ = 0;
    Mapping unmapping_[kMaxUnmap];
    size_t unmapping_count_ = 0;
};

size_t purged_limit(const StrategyValues& st) { return st.large_cache_max * kPurgedFactor; }

// Releases the oldest resident entries until they hold at most `limit`
// bytes. Caller holds g_release_lock.
void shrink_resident_locked(size_t limit, const StrategyValues& st) {
    for (bool more = true; more;) {
        Release r;
        {
            os::LockGuard guard(g_cache.lock);
            while (g_cache.resident_bytes > limit && !r.full() && !r.unmaps_full()) {
                Entry* e = Cache::oldest(g_cache.resident);
                g_cache.remove_resident(e);
                r.add(e, purged_limit(st));
            }
            more = g_cache.resident_bytes > limit;
        }
        r.run(st.purge());
    }
}

// A mapping taken from the cache, shorter than `need` but alone in its 4 MiB
// slot, grows where it is. If something else took the address space after
// it (the mmap hint asks for it free, but cannot promise it), it is unmapped
// and false returned.
bool grow_in_place(Segment* seg, size_t need) {
    if (seg->mapping_size >= need) return true;
    // Secure build: the guard page at the mapping's end makes it two VMAs,
    // which mremap cannot grow: open it, grow, guard the new end.
    auto* base = reinterpret_cast<uint8_t*>(seg);
    if (kSecure) os::protect(base + seg->mapping_size - os::kPageSize, os::kPageSize, true);
    bool grown = os::remap_in_place(seg, seg->mapping_size, need) != nullptr;
    if (grown) seg->mapping_size = need;
    if (!grown || (kSecure && !os::protect(base + need - os::kPageSize, os::kPageSize, false))) {
        unmap_mapping(seg, seg->mapping_size);
        return false;
    }
    return true;
}

}  // namespace

Segment* large_cache_take(size_t need) {
    Entry found{};
    bool have = false;
    {
        os::LockGuard guard(g_cache.lock);
        Entry* best = nullptr;
        bool fits = false;
        unsigned scanned = 0;
        for (unsigned b = bucket_of(need); b < kBuckets && !fits && scanned < kMaxScan; ++b) {
            for (Entry* e = g_cache.resident[b].back(); e != nullptr && scanned < kMaxScan; e = e->prev, ++scanned) {
                size_t cap = e->cap, r = e->resident;
                if (cap < need && os::align_up(cap, kSegmentSize) < need) continue;
                if (cap >= need && r >= need) {
                    if (r - need > 2 * need + (size_t{2} << 20)) continue;  // would pin too much memory
                    if (!fits || r < best->resident) best = e, fits = true;
                    if (r - need <= need / 4 + 64 * 1024) break;  // a close fit: stop looking
                } else if (!fits && (best == nullptr || r > best->resident)) {
                    best = e;
                }
            }
        }
        if (best != nullptr) {
            g_cache.remove_resident(best);
        } else {
            // A purged mapping: page faults, but no mmap.
            for (unsigned b = bucket_of(need); b < kBuckets && best == nullptr; ++b) {
                for (Entry* e = g_cache.purged[b].back(); e != nullptr; e = e->prev) {
                    if (e->cap >= need || os::align_up(e->cap, kSegmentSize) >= need) {
                        best = e;
                        break;
                    }
                }
            }
            if (best != nullptr) g_cache.remove_purged(best);
        }
        if (best != nullptr) {
            found = *best;
            have = true;
            g_cache.delete_entry(best);
        }
    }
    Segment* seg = have ? restore(found) : nullptr;
    if (seg != nullptr && !grow_in_place(seg, need)) seg = nullptr;
    bump(seg != nullptr ? g_cache.hits : g_cache.misses, 1);
    return seg;
}

Segment* large_cache_take_segment() {
    if constexpr (kSecure) return nullptr;  // a segment's guard page is not where a large mapping has one
    // Only mappings no large request took for a sixteenth of the purge
    // delay: a program that reuses its large blocks takes them back sooner
    // (mixed's vm blocks, a few milliseconds), and a segment made of one
    // would only send the next request to a fresh mapping (mixed, 9 rounds:
    // peak RSS 67.4 MiB before, 69.8 with no age rule, 67.4 with this one).
    // Outgrown buffers wait longer (fragmentation's: 71.7 MiB before, 66.7
    // with no age rule, 68.6 with this one; a quarter of the delay kept
    // none of the gain).
    const uint64_t now = os::now_ms();
    const uint64_t min_age = strategy_snapshot().purge_delay_ms / 16;
    Entry found{};
    {
        os::LockGuard guard(g_cache.lock);
        // The resident mapping that fits a segment's slot with the most
        // memory resident: the most faults saved, the most memory put back
        // to use. The first bucket holds exactly the mappings of at most one
        // slot (larger ones cannot become a segment). Oldest first, up to
        // the first one too young.
        Entry* best = nullptr;
        unsigned scanned = 0;
        for (Entry* e = g_cache.resident[bucket_of(kSegmentSize)].front(); e != nullptr && scanned < kMaxScan;
             e = e->next, ++scanned) {
            if (now - e->free_time < min_age) break;
            if (best == nullptr || e->resident > best->resident) best = e;
        }
        if (best == nullptr || best->resident < kMinSegmentReuse) return nullptr;
        g_cache.remove_resident(best);
        found = *best;
        g_cache.delete_entry(best);
    }
    Segment* seg = restore(found);
    if (!grow_in_place(seg, kSegmentSize)) return nullptr;
    bump(g_cache.to_segments, 1);
    return seg;
}

bool large_cache_put(Segment* seg, uint64_t now, const StrategyValues& st) {
    size_t max = st.large_cache_max;
    if (seg->large_resident > max) return false;
    bool kept = true;
    Release r;
    {
        os::LockGuard guard(g_cache.lock);
        Entry* e = g_cache.new_entry();
        if (e == nullptr) {
            // Out of records: the oldest purged mapping makes room.
            Entry* old = Cache::oldest(g_cache.purged);
            if (old == nullptr) return false;
            g_cache.remove_purged(old);
            r.add_unmap(old);
            e = g_cache.new_entry();
        }
        *e = Entry{seg, seg->mapping_size, seg->large_resident, seg->large_dirty, now, seg->huge_advised, nullptr, nullptr};
        g_cache.resident[bucket_of(e->cap)].push_back(e);
        g_cache.resident_bytes += e->resident;
        ++g_cache.entries;
        if (g_cache.resident_bytes > max) {
            // Over the bound: the oldest leave at once (the bound holds
            // whenever the lock is free), and at least a batch's worth, so a
            // cache that keeps overflowing by one block does not make a
            // system call per free.
            size_t batch = st.purge_batch_bytes;
            size_t target = max - (batch < max / 2 ? batch : max / 2);
            while (g_cache.resident_bytes > target && !r.full() && !r.unmaps_full()) {
                Entry* old = Cache::oldest(g_cache.resident);
                g_cache.remove_resident(old);
                r.add(old, purged_limit(st));
            }
            if (g_cache.resident_bytes > max) {
                // Only if the bound was just lowered a long way: refuse this one.
                g_cache.remove_resident(e);
                g_cache.delete_entry(e);
                kept = false;
            }
        }
    }
    if (g_next_due.load(std::memory_order_relaxed) == 0) g_next_due.store(now + st.purge_delay_ms, std::memory_order_relaxed);
    if (!r.empty()) {
        os::LockGuard release_guard(g_release_lock);
        r.run(st.purge());
    }
    return kept;
}

uint64_t large_cache_decay(uint64_t now, bool force) {
    const StrategyValues st = strategy_snapshot();  // one strategy for the whole run
    uint64_t delay = st.purge_delay_ms;
    // Entries this close to their delay go with the due ones: one batch
    // instead of a run for each.
    uint64_t age = delay - delay / 4;
    os::LockGuard release_guard(g_release_lock);
    for (bool more = true; more;) {
        Release r;
        more = false;
        {
            os::LockGuard guard(g_cache.lock);
            for (unsigned b = 0; b < kBuckets && !more; ++b) {
                List& list = g_cache.resident[b];
                while (Entry* e = list.front()) {
                    if (!force && now - e->free_time < age) break;
                    if (r.full() || r.unmaps_full()) { more = true; break; }
                    g_cache.remove_resident(e);
                    if (force) r.add_unmap(e); else r.add(e, purged_limit(st));
                }
            }
            // Everything purged goes too with force; otherwise what a lowered
            // bound (hak_set_strategy) no longer allows.
            while (!r.unmaps_full() && (force ? g_cache.purged_bytes > 0 : g_cache.purged_bytes > purged_limit(st))) {
                Entry* e = Cache::oldest(g_cache.purged);
                g_cache.remove_purged(e);
                r.add_unmap(e);
            }
            if (r.unmaps_full()) more = true;
        }
        r.run(st.purge());
    }
    // The bound may have been lowered since the last put.
    if (!force) shrink_resident_locked(st.large_cache_max, st);
    os::LockGuard guard(g_cache.lock);
    Entry* oldest = Cache::oldest(g_cache.resident);
    uint64_t next = oldest == nullptr ? 0 : oldest->free_time + delay;
    g_next_due.store(next, std::memory_order_relaxed);
    return next;
}

uint64_t large_cache_next_due() { return g_next_due.load(std::memory_order_relaxed); }

LargeCacheStats large_cache_stats() {
    os::LockGuard guard(g_cache.lock);
    return LargeCacheStats{g_cache.hits.load(std::memory_order_relaxed), g_cache.misses.load(std::memory_order_relaxed),
                           g_cache.resident_bytes, g_cache.purged_bytes,
                           g_cache.released.load(std::memory_order_relaxed), g_cache.entries,
                           g_cache.to_segments.load(std::memory_order_relaxed)};
}

void large_cache_fork_prepare() {
    g_release_lock.lock();
    g_cache.lock.lock();
}
void large_cache_fork_parent() {
    g_cache.lock.unlock();
    g_release_lock.unlock();
}
void large_cache_fork_child() {
    g_cache.lock.reset_in_child();
    g_release_lock.reset_in_child();
}

}  // namespace hakmem
