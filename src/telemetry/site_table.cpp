#include "telemetry/site_table.h"

namespace hakmem::telemetry {
namespace {

// Return addresses and HAK_SITE() records are aligned or clustered in the low
// bits: mix all bits (the splitmix64 finalizer) before taking the slot.
uint32_t slot_of(uintptr_t site) {
    uint64_t x = site;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return static_cast<uint32_t>(x) & (SiteTable::kHashedSlots - 1);
}

}  // namespace

uint32_t SiteTable::find_or_insert(uintptr_t site, bool* folded) {
    *folded = false;
    if (site == 0) return kUnknownSite;
    uint32_t slot = slot_of(site);
    for (uint32_t probe = 0; probe < kMaxProbe; ++probe, slot = (slot + 1) & (kHashedSlots - 1)) {
        uintptr_t key = keys_[slot].load(std::memory_order_acquire);
        if (key == 0) {
            // Claim it; if another thread claimed it first, its key may be ours.
            if (keys_[slot].compare_exchange_strong(key, site, std::memory_order_acq_rel, std::memory_order_acquire)) {
                size_.fetch_add(1, std::memory_order_relaxed);
                return kFirstHashedSite + slot;
            }
        }
        if (key == site) return kFirstHashedSite + slot;
    }
    *folded = true;
    return kOverflowSite;
}

}  // namespace hakmem::telemetry
