// A seeded random sequence of allocations, frees and reallocs. Each block is
// filled with a pattern derived from its id and verified before every free
// and realloc, so an overlap, a stray write or lost data fails the test.
// Replay a failure with HAKMEM_TEST_SEED=<printed seed>.
#include <gtest/gtest.h>

#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::KiB;
using hakt::MiB;

struct Slot {
    void* p = nullptr;
    size_t size = 0;
    size_t alignment = 0;  // 0 = default
    uint64_t id = 0;
};

// How a random step allocates and frees. The hak_* and malloc families each
// get one driver; the "mixed" driver crosses entry points on purpose.
struct Driver {
    const hakt::Api* api;
    bool mixed;  // also use hak_alloc_at/hak_free_at and cross the families
};

void PrintTo(const Driver& d, std::ostream* os) { *os << d.api->name << (d.mixed ? " mixed" : ""); }

class RandomSequence : public ::testing::TestWithParam<Driver> {};

std::vector<Driver> Drivers() {
    std::vector<Driver> v;
    for (const hakt::Api* api : hakt::AllApis()) v.push_back({api, false});
    v.push_back({&hakt::HakApi(), true});
    return v;
}

INSTANTIATE_TEST_SUITE_P(Api, RandomSequence, ::testing::ValuesIn(Drivers()), [](const auto& info) {
    return std::string(info.param.api->name) + (info.param.mixed ? "_mixed" : "");
});

TEST_P(RandomSequence, PatternsSurviveARandomAllocFreeReallocSequence) {
    const hakt::Api& api = *GetParam().api;
    const bool mixed = GetParam().mixed;
    std::vector<const hakt::Api*> all = hakt::AllApis();
    const uint64_t seed = hakt::TestSeed("RandomSequence");
    SCOPED_TRACE("HAKMEM_TEST_SEED=" + std::to_string(seed));
    std::mt19937_64 rng(seed);

    const int kOps = 40000 / hakt::kSlowdown;
    const size_t kMaxSize = 1 * MiB;
    std::vector<Slot> slots(1024);
    uint64_t next_id = 1;
    hak_stats_t before;
    ASSERT_TRUE(hakt::ReadStats(&before));

    auto verify = [&](const Slot& s, size_t n, const char* when) {
        size_t bad = hakt::CheckPattern(s.p, n, s.id);
        if (bad != SIZE_MAX) {
            ADD_FAILURE() << "block id " << s.id << " at " << s.p << " (size " << s.size << ") corrupted at offset "
                          << bad << " " << when;
            return false;
        }
        return true;
    };
    auto release = [&](Slot& s) {
        uint64_t how = rng() % 8;
        if (mixed && how == 0) {
            hak_free_at(s.p, s.size, HAK_SITE());
        } else if (mixed && how == 1) {
            hak_free_at(s.p, 0, HAK_SITE_UNKNOWN);
        } else if (mixed && how == 2) {
            all[rng() % all.size()]->free(s.p);  // free through the other family
        } else if (how == 3 && s.alignment && api.free_aligned_sized) {
            api.free_aligned_sized(s.p, s.alignment, s.size);
        } else if (how == 4 && !s.alignment && api.free_sized) {
            api.free_sized(s.p, s.size);
        } else {
            api.free(s.p);
        }
        s = Slot{};
    };

    for (int op = 0; op < kOps; ++op) {
        Slot& s = slots[rng() % slots.size()];
        uint64_t r = rng() % 100;
        if (s.p == nullptr) {
            size_t size = hakt::SkewedSize(rng, kMaxSize);
            uint64_t how = rng() % 100;
            s.alignment = 0;
            if (how < 55) {
                s.p = api.malloc(size);
            } else if (how < 70) {
                s.p = api.calloc(1, size);
                ASSERT_NE(s.p, nullptr);
                size_t dirty = hakt::FirstNonZero(s.p, size);
                ASSERT_EQ(dirty, SIZE_MAX) << "calloc(1, " << size << ") = " << s.p << " (usable "
                                           << api.usable_size(s.p) << ") not zeroed from offset " << dirty << ", op "
                                           << op;
            } else if (how < 80) {
                s.alignment = size_t{16} << (rng() % 9);  // 16 .. 4096
                if (rng() % 2) s.p = api.aligned_alloc(s.alignment, size);
                else ASSERT_EQ(api.posix_memalign(&s.p, s.alignment, size), 0);
            } else if (how < 85) {
                s.p = api.realloc(nullptr, size);
            } else if (mixed && how < 95) {
                s.p = hak_alloc_at(size, rng() % 2 ? HAK_SITE() : HAK_SITE_UNKNOWN);
            } else {
                s.p = api.malloc(size);
            }
            ASSERT_NE(s.p, nullptr) << "allocation of " << size << " failed at op " << op;
            if (s.alignment) ASSERT_TRUE(hakt::IsAligned(s.p, s.alignment)) << s.p << " align " << s.alignment;
            else ASSERT_TRUE(hakt::IsAligned(s.p, 16)) << s.p;
            ASSERT_GE(api.usable_size(s.p), size);
            s.size = size;
            s.id = next_id++;
            hakt::FillPattern(s.p, s.size, s.id);
        } else if (r < 50) {
            if (!verify(s, s.size, "before free")) return;
            release(s);
        } else if (r < 85) {
            if (!verify(s, s.size, "before realloc")) return;
            size_t new_size = rng() % 4 == 0 ? hakt::SkewedSize(rng, kMaxSize)
                                             : size_t(double(s.size) * (0.5 + double(rng() % 100) / 50.0)) + rng() % 64;
            if (new_size > kMaxSize) new_size = kMaxSize;
            void* q = api.realloc(s.p, new_size);
            if (new_size == 0 && q == nullptr) {  // glibc: realloc(p, 0) frees p
                s = Slot{};
                continue;
            }
            ASSERT_NE(q, nullptr) << "realloc to " << new_size << " failed at op " << op;
            ASSERT_TRUE(hakt::IsAligned(q, 16)) << q;
            ASSERT_GE(api.usable_size(q), new_size);
            s.p = q;
            s.alignment = 0;
            if (!verify(s, std::min(s.size, new_size), "after realloc")) return;
            s.size = new_size;
            s.id = next_id++;
            hakt::FillPattern(s.p, s.size, s.id);
        } else {
            if (!verify(s, s.size, "while live")) return;
        }
    }

    // Everything still live must be intact; then release it all.
    for (Slot& s : slots) {
        if (!s.p) continue;
        if (!verify(s, s.size, "at the end")) return;
        release(s);
    }
    hak_stats_t after;
    ASSERT_TRUE(hakt::ReadStats(&after));
    EXPECT_GE(after.allocs - before.allocs, uint64_t(kOps) / 8) << "allocations were not counted";
    EXPECT_GE(after.frees - before.frees, uint64_t(kOps) / 8) << "frees were not counted";
    // Every block made here is freed, so bytes_current is back near where it
    // started (the test harness itself may hold a little through the override).
    EXPECT_LE(after.bytes_current, before.bytes_current + 1 * MiB)
        << "bytes_current did not fall back after every block was freed";
}

}  // namespace
