#include "policy/strategy.h"

#include <cstddef>
#include <cstring>

#include "hakmem/hakmem.h"
#include "os/background.h"
#include "policy/options.h"

namespace hakmem {
namespace {
Strategy g_strategy;
constexpr uint64_t kMaxPurgeDelayMs = 3600 * 1000;
constexpr uint64_t kMaxSegmentCache = 1024;
constexpr uint64_t kMaxBytes = uint64_t{1} << 40;  // byte-valued fields: 1 TiB is "unlimited"
}  // namespace

Strategy& strategy() { return g_strategy; }

void strategy_init_from_options() {
    g_strategy.purge_delay_ms.store(static_cast<uint64_t>(option_get(Option::kPurgeDelayMs)));
    g_strategy.segment_cache_max.store(static_cast<uint64_t>(option_get(Option::kSegmentCacheMax)));
    g_strategy.purge_mode.store(static_cast<uint32_t>(option_get(Option::kPurgeMode)));
    g_strategy.mmap_threshold.store(static_cast<uint64_t>(option_get(Option::kMmapThreshold)));
    g_strategy.large_cache_max.store(static_cast<uint64_t>(option_get(Option::kLargeCache)));
    g_strategy.purge_batch_bytes.store(static_cast<uint64_t>(option_get(Option::kPurgeBatch)));
    g_strategy.huge_pages.store(static_cast<uint32_t>(option_get(Option::kHugePages)));
    g_strategy.purge_thread.store(static_cast<uint32_t>(option_get(Option::kPurgeThread)));
    os::background_set_enabled(g_strategy.purge_thread.load() != 0);
}

int strategy_export(hak_strategy* out) {
    if (out == nullptr || out->struct_size < sizeof(size_t)) return HAK_E_INVALID;
    hak_strategy_t full{};
    full.struct_size = sizeof full;
    full.purge_delay_ms = g_strategy.purge_delay();
    full.segment_cache_max = g_strategy.segment_cache();
    full.purge_mode = static_cast<uint32_t>(g_strategy.purge());
    full.mmap_threshold = g_strategy.mmap_limit();
    full.large_cache_max = g_strategy.large_cache();
    full.purge_batch_bytes = g_strategy.purge_batch();
    full.huge_pages = static_cast<uint32_t>(g_strategy.huge());
    full.purge_thread = g_strategy.purge_thread.load(std::memory_order_relaxed);
    size_t n = out->struct_size < sizeof full ? out->struct_size : sizeof full;
    size_t caller_size = out->struct_size;
    memcpy(out, &full, n);
    out->struct_size = caller_size;
    return HAK_OK;
}

int strategy_import(const hak_strategy* in) {
    if (in == nullptr || in->struct_size < sizeof(size_t)) return HAK_E_INVALID;
    // Fields the caller's (older) struct does not reach keep their values.
    hak_strategy_t full{};
    full.struct_size = sizeof full;
    strategy_export(&full);
    memcpy(&full, in, in->struct_size < sizeof full ? in->struct_size : sizeof full);
    if (full.purge_delay_ms > kMaxPurgeDelayMs || full.segment_cache_max > kMaxSegmentCache || full.purge_mode > 1 ||
        full.mmap_threshold > kMaxBytes || full.large_cache_max > kMaxBytes || full.purge_batch_bytes > kMaxBytes ||
        full.huge_pages > 2 || full.purge_thread > 1)
        return HAK_E_INVALID;
    g_strategy.purge_delay_ms.store(full.purge_delay_ms, std::memory_order_relaxed);
    g_strategy.segment_cache_max.store(full.segment_cache_max, std::memory_order_relaxed);
    g_strategy.purge_mode.store(full.purge_mode, std::memory_order_relaxed);
    g_strategy.mmap_threshold.store(full.mmap_threshold, std::memory_order_relaxed);
    g_strategy.large_cache_max.store(full.large_cache_max, std::memory_order_relaxed);
    g_strategy.purge_batch_bytes.store(full.purge_batch_bytes, std::memory_order_relaxed);
    g_strategy.huge_pages.store(full.huge_pages, std::memory_order_relaxed);
    g_strategy.purge_thread.store(full.purge_thread, std::memory_order_relaxed);
    os::background_set_enabled(full.purge_thread != 0);
    return HAK_OK;
}

}  // namespace hakmem
