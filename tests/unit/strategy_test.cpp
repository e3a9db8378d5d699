// hak_get_strategy / hak_set_strategy (versioned struct, validation) and
// hak_collect. Each test restores the strategy it found.
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::KiB;
using hakt::MiB;
using hakt::Opaque;

constexpr unsigned char kGuard = 0xAB;

hak_strategy_t Current() {
    hak_strategy_t s;
    std::memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    EXPECT_EQ(hak_get_strategy(&s), HAK_OK);
    return s;
}

bool Same(const hak_strategy_t& a, const hak_strategy_t& b) {
    return a.purge_delay_ms == b.purge_delay_ms && a.segment_cache_max == b.segment_cache_max &&
           a.purge_mode == b.purge_mode;
}

std::string Show(const hak_strategy_t& s) {
    return "{purge_delay_ms=" + std::to_string(s.purge_delay_ms) +
           ", segment_cache_max=" + std::to_string(s.segment_cache_max) +
           ", purge_mode=" + std::to_string(s.purge_mode) + "}";
}

class Strategy : public ::testing::Test {
protected:
    void SetUp() override { original_ = Current(); }
    void TearDown() override { EXPECT_EQ(hak_set_strategy(&original_), HAK_OK) << "could not restore the strategy"; }
    hak_strategy_t original_{};
};

TEST_F(Strategy, GetStrategyFillsTheStructWithValidValues) {
    hak_strategy_t s;
    std::memset(&s, kGuard, sizeof s);
    s.struct_size = sizeof s;
    ASSERT_EQ(hak_get_strategy(&s), HAK_OK);
    EXPECT_EQ(s.struct_size, sizeof s);
    EXPECT_TRUE(s.purge_mode == 0 || s.purge_mode == 1) << "purge_mode " << s.purge_mode;
    EXPECT_NE(s.purge_delay_ms, 0xABABABABABABABABull) << "purge_delay_ms not filled";
    EXPECT_NE(s.segment_cache_max, 0xABABABABABABABABull) << "segment_cache_max not filled";
}

TEST_F(Strategy, ASetStrategyRoundTripsThroughGetStrategy) {
    hak_strategy_t s = original_;
    s.purge_delay_ms = original_.purge_delay_ms + 17;
    s.segment_cache_max = original_.segment_cache_max == 0 ? 1 : original_.segment_cache_max - 1;
    s.purge_mode = original_.purge_mode == 0 ? 1 : 0;
    ASSERT_EQ(hak_set_strategy(&s), HAK_OK) << Show(s);
    hak_strategy_t got = Current();
    EXPECT_TRUE(Same(got, s)) << "set " << Show(s) << " but got " << Show(got);
    ASSERT_EQ(hak_set_strategy(&original_), HAK_OK);
    got = Current();
    EXPECT_TRUE(Same(got, original_)) << "restored " << Show(original_) << " but got " << Show(got);
}

TEST_F(Strategy, SetStrategyRejectsAnOutOfRangePurgeModeAndKeepsTheOldStrategy) {
    for (uint32_t mode : {2u, 3u, 0xFFFFFFFFu}) {
        hak_strategy_t s = original_;
        s.purge_delay_ms = original_.purge_delay_ms + 5;  // would change if the call were half-applied
        s.purge_mode = mode;
        EXPECT_EQ(hak_set_strategy(&s), HAK_E_INVALID) << "purge_mode " << mode;
        hak_strategy_t got = Current();
        EXPECT_TRUE(Same(got, original_)) << "a rejected strategy changed the strategy to " << Show(got);
    }
}

TEST_F(Strategy, StructSizesTooSmallForTheHeaderAndNullAreRejected) {
    EXPECT_EQ(hak_set_strategy(nullptr), HAK_E_INVALID);
    EXPECT_EQ(hak_get_strategy(nullptr), HAK_E_INVALID);
    for (size_t struct_size : {size_t{0}, size_t{1}, sizeof(size_t) - 1}) {
        hak_strategy_t s = original_;
        s.struct_size = struct_size;
        s.purge_delay_ms = original_.purge_delay_ms + 9;
        EXPECT_EQ(hak_set_strategy(&s), HAK_E_INVALID) << "set with struct_size " << struct_size;
        alignas(hak_strategy_t) unsigned char buf[sizeof(hak_strategy_t) + 16];
        std::memset(buf, kGuard, sizeof buf);
        std::memcpy(buf, &struct_size, sizeof struct_size);
        EXPECT_EQ(hak_get_strategy(reinterpret_cast<hak_strategy_t*>(buf)), HAK_E_INVALID)
            << "get with struct_size " << struct_size;
        for (size_t i = sizeof(size_t); i < sizeof buf; ++i)
            ASSERT_EQ(buf[i], kGuard) << "a rejected get wrote byte " << i;
    }
    EXPECT_TRUE(Same(Current(), original_)) << "a rejected set changed the strategy";
}

// An older client whose struct ends after purge_delay_ms: only that field is
// read, so the garbage after it (an invalid purge_mode) must not matter.
TEST_F(Strategy, SetStrategyWithAnOlderStructChangesOnlyTheFieldsItCovers) {
    alignas(hak_strategy_t) unsigned char buf[sizeof(hak_strategy_t)];
    std::memset(buf, 0xFF, sizeof buf);
    hak_strategy_t head = original_;
    head.struct_size = offsetof(hak_strategy_t, segment_cache_max);
    head.purge_delay_ms = original_.purge_delay_ms + 23;
    std::memcpy(buf, &head, offsetof(hak_strategy_t, segment_cache_max));
    ASSERT_EQ(hak_set_strategy(reinterpret_cast<hak_strategy_t*>(buf)), HAK_OK);
    hak_strategy_t got = Current();
    EXPECT_EQ(got.purge_delay_ms, original_.purge_delay_ms + 23);
    EXPECT_EQ(got.segment_cache_max, original_.segment_cache_max) << "a field past struct_size was read";
    EXPECT_EQ(got.purge_mode, original_.purge_mode) << "a field past struct_size was read";
}

TEST_F(Strategy, GetStrategyWithAnOlderStructFillsOnlyThatFar) {
    alignas(hak_strategy_t) unsigned char buf[sizeof(hak_strategy_t) + 32];
    std::memset(buf, kGuard, sizeof buf);
    const size_t old_size = offsetof(hak_strategy_t, segment_cache_max);
    std::memcpy(buf, &old_size, sizeof old_size);
    ASSERT_EQ(hak_get_strategy(reinterpret_cast<hak_strategy_t*>(buf)), HAK_OK);
    uint64_t delay;
    std::memcpy(&delay, buf + offsetof(hak_strategy_t, purge_delay_ms), sizeof delay);
    EXPECT_EQ(delay, original_.purge_delay_ms);
    for (size_t i = old_size; i < sizeof buf; ++i)
        ASSERT_EQ(buf[i], kGuard) << "byte " << i << " past struct_size " << old_size << " was written";
}

TEST_F(Strategy, AllocationKeepsWorkingUnderEachPurgeModeWithNoDelay) {
    for (uint32_t mode : {0u, 1u}) {
        hak_strategy_t s = original_;
        s.purge_delay_ms = 0;
        s.segment_cache_max = 0;
        s.purge_mode = mode;
        ASSERT_EQ(hak_set_strategy(&s), HAK_OK) << Show(s);
        // Churn enough memory that pages and segments empty and get purged,
        // then reuse them: purged memory must come back usable (and zero for calloc).
        for (int round = 0; round < 4; ++round) {
            std::vector<void*> blocks;
            for (int i = 0; i < 64; ++i) {
                size_t size = i % 8 == 0 ? 3 * MiB : size_t(1 + i) * 1000;
                void* p = hak_malloc(Opaque(size));
                ASSERT_NE(p, nullptr);
                std::memset(p, 0xEE, size);
                blocks.push_back(p);
            }
            for (void* p : blocks) hak_free(p);
            hak_collect(0);
            for (int i = 0; i < 64; ++i) {
                size_t size = i % 8 == 0 ? 3 * MiB : size_t(1 + i) * 1000;
                void* p = hak_calloc(1, Opaque(size));
                ASSERT_NE(p, nullptr);
                ASSERT_TRUE(hakt::IsAllZero(p, size)) << "calloc after purge mode " << mode << " not zeroed";
                blocks[i] = p;
            }
            for (void* p : blocks) hak_free(p);
        }
    }
}

// ---- hak_collect --------------------------------------------------------------

TEST(Collect, ForcedCollectKeepsLiveBlocksIntact) {
    std::vector<std::pair<void*, size_t>> blocks;
    for (int i = 0; i < 600; ++i) {
        size_t size = i % 50 == 0 ? 2 * MiB + size_t(i) : size_t(i) * 97 % 70000;
        void* p = hak_malloc(Opaque(size));
        ASSERT_NE(p, nullptr);
        hakt::FillPattern(p, size, uint64_t(i));
        blocks.push_back({p, size});
    }
    for (size_t i = 0; i < blocks.size(); i += 2) hak_free(blocks[i].first);  // half free: pages become sparse
    hak_collect(1);
    hak_collect(0);
    for (size_t i = 1; i < blocks.size(); i += 2)
        ASSERT_EQ(hakt::CheckPattern(blocks[i].first, blocks[i].second, i), SIZE_MAX)
            << "live block " << i << " changed across hak_collect";
    // Freed memory comes back usable after the purge.
    for (size_t i = 0; i < blocks.size(); i += 2) {
        blocks[i].first = hak_malloc(blocks[i].second);
        ASSERT_NE(blocks[i].first, nullptr);
        hakt::FillPattern(blocks[i].first, blocks[i].second, i);
    }
    for (size_t i = 0; i < blocks.size(); ++i) {
        ASSERT_EQ(hakt::CheckPattern(blocks[i].first, blocks[i].second, i), SIZE_MAX) << "block " << i;
        hak_free(blocks[i].first);
    }
}

TEST(Collect, ForcedCollectReturnsFreedMemoryToTheOs) {
    constexpr size_t kMedium = 128 * KiB;
    constexpr int kMediumCount = 256;  // 32 MiB of medium blocks
    constexpr int kLargeCount = 4;     // and 32 MiB of large ones
    std::vector<void*> blocks;
    for (int i = 0; i < kMediumCount; ++i) blocks.push_back(hak_malloc(Opaque(kMedium)));
    for (int i = 0; i < kLargeCount; ++i) blocks.push_back(hak_malloc(Opaque(8 * MiB)));
    for (size_t i = 0; i < blocks.size(); ++i) {
        ASSERT_NE(blocks[i], nullptr);
        std::memset(blocks[i], 0x42, i < kMediumCount ? kMedium : 8 * MiB);  // make it resident
    }
    hak_stats_t live;
    ASSERT_TRUE(hakt::ReadStats(&live));
    for (void* p : blocks) hak_free(p);
    hak_collect(1);
    hak_stats_t after;
    ASSERT_TRUE(hakt::ReadStats(&after));
    const uint64_t freed = kMediumCount * kMedium + kLargeCount * 8 * MiB;  // 64 MiB
    const uint64_t unmapped = live.bytes_mapped > after.bytes_mapped ? live.bytes_mapped - after.bytes_mapped : 0;
    const uint64_t purged = after.bytes_purged - live.bytes_purged;
    EXPECT_GE(unmapped + purged, freed / 4)
        << "after freeing " << freed << " bytes and hak_collect(1), only " << unmapped << " bytes were unmapped and "
        << purged << " purged";
    EXPECT_LE(after.bytes_mapped, live.bytes_mapped) << "hak_collect must not map memory";
}

TEST(Collect, UnforcedCollectDoesNotDisturbLiveBlocks) {
    void* p = hak_malloc(Opaque(size_t{5000}));
    ASSERT_NE(p, nullptr);
    hakt::FillPattern(p, 5000, 3);
    for (int i = 0; i < 10; ++i) hak_collect(0);
    EXPECT_EQ(hakt::CheckPattern(p, 5000, 3), SIZE_MAX);
    hak_free(p);
}

}  // namespace
