// What the large-block tests share: a fixture that installs a known
// Strategy (and restores the previous one), stats deltas, and RSS helpers.
#ifndef HAKMEM_LARGE_TEST_SUPPORT_H
#define HAKMEM_LARGE_TEST_SUPPORT_H

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "hakmem_test_support.h"

namespace hakt {

inline hak_stats_t Stats() {
    hak_stats_t s;
    EXPECT_TRUE(ReadStats(&s));
    return s;
}

inline hak_strategy_t GetStrategy() {
    hak_strategy_t s;
    std::memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    EXPECT_EQ(hak_get_strategy(&s), HAK_OK);
    return s;
}

// The slack the RSS checks allow over a baseline: 10%, at least 2 MiB. The
// absolute part covers what legitimately stays resident after everything is
// released: the 4 KiB headers of purged cached mappings (at most 64), the
// page each small size class keeps (64 KiB each, released only by the owner
// thread's next call), the test's own bookkeeping and gtest's output
// buffers; RSS is also only as exact as the kernel's per-CPU counters.
inline uint64_t RssSlack(uint64_t baseline) {
    uint64_t ten_percent = baseline / 10;
    return ten_percent > 2 * MiB ? ten_percent : 2 * MiB;
}

// Installs a Strategy for the test: a long purge delay (nothing decays
// unless the test wants it), the given large-cache bound, everything else
// at its default. The previous strategy comes back at the end.
class LargeTest : public ::testing::Test {
protected:
    void SetUp() override {
        saved_ = GetStrategy();
        hak_strategy_t s = saved_;
        s.purge_delay_ms = 60 * 1000;
        s.mmap_threshold = 32 * MiB;
        s.large_cache_max = 64 * MiB;
        s.purge_batch_bytes = 4 * MiB;
        s.huge_pages = 2;
        s.purge_thread = 1;
        ASSERT_EQ(hak_set_strategy(&s), HAK_OK);
        hak_collect(1);  // start from an empty cache
    }
    void TearDown() override {
        hak_set_strategy(&saved_);
        hak_collect(1);
    }
    void Update(void (*change)(hak_strategy_t*)) {
        hak_strategy_t s = GetStrategy();
        change(&s);
        ASSERT_EQ(hak_set_strategy(&s), HAK_OK);
    }

    hak_strategy_t saved_;
};

// Writes every page of [p, p+n) so it is resident.
inline void Touch(void* p, size_t n, unsigned char value = 0x5A) { std::memset(p, value, n); }

}  // namespace hakt

#endif
