// Shared by the telemetry tests that go through the allocator: a fixture
// that samples at a small fixed rate, and lookups of a site's statistics.
#ifndef HAKMEM_TELEMETRY_TEST_SUPPORT_H
#define HAKMEM_TELEMETRY_TEST_SUPPORT_H

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "hakmem_test_support.h"
#include "telemetry/sampler.h"
#include "telemetry/telemetry.h"

namespace telt {

// A mean interval small enough that a test's few megabytes give thousands
// of samples.
inline constexpr uint64_t kTestSampleBytes = 4096;

// Synthetic site ids: any value is a valid hak_callsite_t. Each test takes
// its own range, so sites never collide across tests of one process.
inline hak_callsite_t FakeSite(uint32_t test, uint32_t n) { return 0x5e0000000000ull + (uint64_t(test) << 20) + n * 16; }

class SampledTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(hakmem::telemetry_enabled()) << "telemetry is on by default";
        // The thread's heap must exist for the new rate to apply at once (a
        // thread's first countdown only starts its sampling).
        hak_free(hak_malloc(1));
        hakmem::telemetry_set_sample_bytes(kTestSampleBytes, true);
    }
    void TearDown() override { hakmem::telemetry_set_sample_bytes(hakmem::telemetry::kDefaultSampleBytes, false); }
};

inline std::vector<hak_site_stats_t> AllSites() {
    std::vector<hak_site_stats_t> v(4096);
    v[0].struct_size = sizeof(hak_site_stats_t);
    size_t n = v.size();
    EXPECT_EQ(hak_get_site_stats(v.data(), &n), HAK_OK);
    v.resize(n);
    return v;
}

// The statistics of `site`; samples == 0 if it has none.
inline hak_site_stats_t SiteStats(hak_callsite_t site) {
    for (const auto& s : AllSites())
        if (s.site == site) return s;
    hak_site_stats_t none{};
    none.site = site;
    return none;
}

// Horvitz-Thompson standard deviation of the count estimate for allocations
// of the given sizes at mean interval T: sqrt(sum (1 - p) / p).
inline double CountSd(const std::vector<size_t>& sizes, uint64_t t = kTestSampleBytes) {
    double var = 0;
    for (size_t s : sizes) {
        double p = -std::expm1(-double(s) / double(t));
        var += (1 - p) / p;
    }
    return std::sqrt(var);
}
// The same for the bytes estimate: sqrt(sum s^2 (1 - p) / p).
inline double BytesSd(const std::vector<size_t>& sizes, uint64_t t = kTestSampleBytes) {
    double var = 0;
    for (size_t s : sizes) {
        double p = -std::expm1(-double(s) / double(t));
        var += double(s) * double(s) * (1 - p) / p;
    }
    return std::sqrt(var);
}

}  // namespace telt

#endif
