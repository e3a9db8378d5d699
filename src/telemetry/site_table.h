// The table of call sites: a bounded, lock-free map from a site id
// (hak_callsite_t: a return address or a tagged HAK_SITE() record) to a
// small index that names the site's statistics (telemetry/site_stats.h).
//
// Open addressing with linear probing over a fixed array of keys; a new
// site claims an empty slot with one CAS on the key. Keys are never removed,
// so a lookup that finds its key is done, and one that reaches an empty
// slot knows the key is absent. When a key finds no slot within
// kMaxProbe probes (the table is nearly full), the site is folded into the
// overflow entry and the caller counts the fold: nothing grows without
// bound and nothing waits.
//
// Two indices are reserved: kUnknownSite for site 0 (HAK_SITE_UNKNOWN), which
// an empty key could not tell apart, and kOverflowSite.
#pragma once
#include <atomic>
#include <cstdint>

namespace hakmem::telemetry {

inline constexpr uint32_t kUnknownSite = 0;
inline constexpr uint32_t kOverflowSite = 1;
inline constexpr uint32_t kFirstHashedSite = 2;

class SiteTable {
public:
    // Capacity of the hashed part: a power of two.
    static constexpr uint32_t kHashedSlots = 2048;
    static constexpr uint32_t kEntries = kFirstHashedSite + kHashedSlots;
    // Probes before a site gives up and folds (the table is then over ~90%
    // full for any reasonable hash).
    static constexpr uint32_t kMaxProbe = 64;

    // The index of `site`, inserting it if absent. Sets *folded when the
    // table had no room and kOverflowSite is returned for a real site.
    uint32_t find_or_insert(uintptr_t site, bool* folded);
    // The site id at `index` (0 for an empty slot and for the reserved ones).
    uintptr_t site_at(uint32_t index) const {
        return index < kFirstHashedSite ? 0 : keys_[index - kFirstHashedSite].load(std::memory_order_acquire);
    }
    // Sites claimed so far (not counting the reserved entries).
    uint32_t size() const { return size_.load(std::memory_order_relaxed); }

private:
    std::atomic<uintptr_t> keys_[kHashedSlots] = {};
    std::atomic<uint32_t> size_{0};
};

}  // namespace hakmem::telemetry
