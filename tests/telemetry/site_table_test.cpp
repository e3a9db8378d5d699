// telemetry/site_table: ids are stable and distinct, concurrent inserts of
// the same site agree, and a full table folds new sites into the overflow
// entry.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "telemetry/site_table.h"

namespace {

using hakmem::telemetry::kFirstHashedSite;
using hakmem::telemetry::kOverflowSite;
using hakmem::telemetry::kUnknownSite;
using hakmem::telemetry::SiteTable;

TEST(SiteTable, DistinctSitesGetDistinctStableIndices) {
    auto t = std::make_unique<SiteTable>();
    std::vector<uint32_t> first;
    for (uintptr_t site = 0x400000; site < 0x400000 + 1000 * 7; site += 7) {
        bool folded = true;
        first.push_back(t->find_or_insert(site, &folded));
        EXPECT_FALSE(folded);
    }
    EXPECT_EQ(std::set<uint32_t>(first.begin(), first.end()).size(), first.size());
    EXPECT_EQ(t->size(), 1000u);
    size_t i = 0;
    for (uintptr_t site = 0x400000; site < 0x400000 + 1000 * 7; site += 7, ++i) {
        bool folded = true;
        EXPECT_EQ(t->find_or_insert(site, &folded), first[i]);
        EXPECT_EQ(t->site_at(first[i]), site);
    }
    EXPECT_EQ(t->size(), 1000u) << "lookups insert nothing";
}

TEST(SiteTable, TheUnknownSiteHasItsOwnEntry) {
    auto t = std::make_unique<SiteTable>();
    bool folded = true;
    EXPECT_EQ(t->find_or_insert(0, &folded), kUnknownSite);
    EXPECT_FALSE(folded);
    EXPECT_EQ(t->size(), 0u);
}

TEST(SiteTable, ThreadsInsertingTheSameSitesAgreeOnTheirIndices) {
    auto t = std::make_unique<SiteTable>();
    constexpr int kThreads = 4, kSites = 1500;
    std::vector<std::vector<uint32_t>> got(kThreads, std::vector<uint32_t>(kSites));
    std::vector<std::thread> threads;
    for (int k = 0; k < kThreads; ++k)
        threads.emplace_back([&, k] {
            for (int i = 0; i < kSites; ++i) {
                bool folded;
                got[k][i] = t->find_or_insert(0x7f0000001000 + uintptr_t(i) * 64, &folded);
            }
        });
    for (auto& th : threads) th.join();
    for (int k = 1; k < kThreads; ++k) EXPECT_EQ(got[k], got[0]);
    EXPECT_EQ(t->size(), uint32_t(kSites));
}

TEST(SiteTable, AFullTableFoldsNewSitesIntoTheOverflowEntry) {
    auto t = std::make_unique<SiteTable>();
    uint32_t folded_count = 0;
    for (uintptr_t i = 1; i <= SiteTable::kHashedSlots + 500; ++i) {
        bool folded = false;
        uint32_t index = t->find_or_insert(i * 16, &folded);
        if (folded) {
            EXPECT_EQ(index, kOverflowSite);
            ++folded_count;
        } else {
            EXPECT_GE(index, kFirstHashedSite);
        }
    }
    EXPECT_GE(folded_count, 500u);
    EXPECT_EQ(t->size() + folded_count, SiteTable::kHashedSlots + 500);
    // Sites already in the table are still found.
    bool folded = true;
    EXPECT_NE(t->find_or_insert(16, &folded), kOverflowSite);
}

}  // namespace
