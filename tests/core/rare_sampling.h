// A fixture for core tests that follow blocks by address. Telemetry's
// samples come from the sampled heap, not from the thread's pages: a sampled
// block is never kept by the foreign cache and never comes back to its
// owner's pages, so a test that follows blocks by address would see one go
// missing in about one run in eight (64 KiB allocated against a mean
// interval of 512 KiB). These tests sample once per TiB instead; a new
// thread's first allocation is still sampled, so tests make a thread's heap
// with an allocation they do not follow.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>

#include "hakmem/hakmem.h"
#include "telemetry/sampler.h"
#include "telemetry/telemetry.h"

namespace hakt {

class RareSamplingTest : public ::testing::Test {
protected:
    void SetUp() override {
        hak_free(hak_malloc(1));  // the thread's heap, so the rate applies at once
        hakmem::telemetry_set_sample_bytes(uint64_t{1} << 40, true);
    }
    void TearDown() override { hakmem::telemetry_set_sample_bytes(hakmem::telemetry::kDefaultSampleBytes, false); }
};

}  // namespace hakt
