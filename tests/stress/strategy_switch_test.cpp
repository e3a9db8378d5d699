// Strategy switches while threads allocate: one thread installs two
// complete strategies A and B in turn (every field differs between them)
// while others allocate and free across the small, medium and large paths
// (whose slow paths take Strategy snapshots, trim caches, start and stop the
// purge thread), and readers take snapshots in a loop. Every snapshot - the
// internal one slow paths use, and hak_get_strategy's - must be exactly A or
// exactly B: never half of one and half of the other. Run under TSan too.
//
// Linked with libhakmem.a and reaching into src/ (policy/strategy.h), so it
// is not part of the preloaded stress suite.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "hakmem_test_support.h"
#include "policy/strategy.h"

namespace {

using hakt::KiB;
using hakt::MiB;
using hakt::Opaque;

hak_strategy_t Make(uint64_t delay, uint64_t segments, uint32_t mode, uint64_t threshold, uint64_t cache,
                    uint64_t batch, uint32_t huge, uint32_t thread) {
    hak_strategy_t s;
    std::memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    s.purge_delay_ms = delay;
    s.segment_cache_max = segments;
    s.purge_mode = mode;
    s.mmap_threshold = threshold;
    s.large_cache_max = cache;
    s.purge_batch_bytes = batch;
    s.huge_pages = huge;
    s.purge_thread = thread;
    return s;
}

// A is the default strategy; B differs in every field, and its bounds are
// lower, so each switch to B trims the caches and stops the purge thread.
const hak_strategy_t kA = Make(250, 8, 0, 32 * MiB, 64 * MiB, 4 * MiB, 2, 1);
const hak_strategy_t kB = Make(3, 1, 1, 1 * MiB, 2 * MiB, 512 * KiB, 0, 0);

hakmem::StrategyValues Values(const hak_strategy_t& s) {
    hakmem::StrategyValues v{};
    EXPECT_EQ(hakmem::strategy_import(&s, hakmem::strategy_defaults(), &v), HAK_OK);
    return v;
}

bool SameAbi(const hak_strategy_t& a, const hak_strategy_t& b) {
#define HAKMEM_SAME(type, name, ...) a.name == b.name &&
    return HAKMEM_STRATEGY_FIELDS(HAKMEM_SAME) true;
#undef HAKMEM_SAME
}

std::string Show(const hakmem::StrategyValues& v) {
    std::string out = "{";
#define HAKMEM_SHOW(type, name, ...) out += #name "=" + std::to_string(v.name) + " ";
    HAKMEM_STRATEGY_FIELDS(HAKMEM_SHOW)
#undef HAKMEM_SHOW
    return out + "}";
}

TEST(StrategySwitch, EverySnapshotIsOneWholeStrategyWhileThreadsAllocate) {
    // The premise: A and B differ in every field, so any mix of them is
    // neither.
#define HAKMEM_DIFFERS(type, name, ...) ASSERT_NE(kA.name, kB.name) << #name;
    HAKMEM_STRATEGY_FIELDS(HAKMEM_DIFFERS)
#undef HAKMEM_DIFFERS
    const hakmem::StrategyValues a = Values(kA), b = Values(kB);

    hak_strategy_t original;
    std::memset(&original, 0, sizeof original);
    original.struct_size = sizeof original;
    ASSERT_EQ(hak_get_strategy(&original), HAK_OK);
    ASSERT_EQ(hak_set_strategy(&kA), HAK_OK);

    const int kSwitches = 20000 / hakt::kSlowdown;
    std::atomic<bool> done{false};
    std::atomic<uint64_t> snapshots{0}, mixed{0}, abi_reads{0}, abi_mixed{0}, seen_a{0}, seen_b{0};
    std::atomic<uint64_t> alloc_failures{0}, corrupt{0}, allocations{0};
    hakmem::StrategyValues first_mixed{};

    std::vector<std::thread> threads;
    // Readers: the slow paths' snapshot, and the C ABI's view of it.
    for (int r = 0; r < 2; ++r) {
        threads.emplace_back([&, r] {
            uint64_t n = 0;
            while (!done.load(std::memory_order_relaxed)) {
                hakmem::StrategyValues v = hakmem::strategy_snapshot();
                if (v == a) seen_a.fetch_add(1, std::memory_order_relaxed);
                else if (v == b) seen_b.fetch_add(1, std::memory_order_relaxed);
                else if (mixed.fetch_add(1) == 0) first_mixed = v;
                if (++n % 16 == uint64_t(r)) {
                    hak_strategy_t s;
                    std::memset(&s, 0, sizeof s);
                    s.struct_size = sizeof s;
                    if (hak_get_strategy(&s) != HAK_OK || !(SameAbi(s, kA) || SameAbi(s, kB))) abi_mixed.fetch_add(1);
                    abi_reads.fetch_add(1, std::memory_order_relaxed);
                }
            }
            snapshots.fetch_add(n);
        });
    }
    // Allocators: small, medium and large blocks, some kept a while, each
    // checked before it is freed.
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            constexpr size_t kSizes[] = {48, 1000, 8 * KiB, 100 * KiB, 300 * KiB, 1536 * KiB, 3 * MiB};
            constexpr int kKeep = 24;
            void* kept[kKeep] = {};
            size_t kept_size[kKeep] = {};
            uint64_t i = 0;
            while (!done.load(std::memory_order_relaxed)) {
                int slot = int(i % kKeep);
                if (kept[slot] != nullptr) {
                    if (hakt::CheckPattern(kept[slot], kept_size[slot], i - kKeep + t * 1000003) != SIZE_MAX)
                        corrupt.fetch_add(1);
                    hak_free(kept[slot]);
                }
                size_t size = kSizes[(i * 7 + t) % (sizeof kSizes / sizeof kSizes[0])];
                size_t fill = size < 64 * KiB ? size : 64 * KiB;  // large blocks: touch the start only
                void* p = hak_malloc(Opaque(size));
                if (p == nullptr) alloc_failures.fetch_add(1);
                else hakt::FillPattern(p, fill, i + t * 1000003);
                kept[slot] = p;
                kept_size[slot] = p == nullptr ? 0 : fill;
                if (i % 64 == 0) hak_collect(0);
                ++i;
            }
            for (int s = 0; s < kKeep; ++s) hak_free(kept[s]);
            allocations.fetch_add(i);
        });
    }
    // The switcher.
    // At least kSwitches, and for at least half a second, so that the other
    // threads run through many switches even on a loaded machine.
    int rejected = 0, switches = 0;
    const auto start = std::chrono::steady_clock::now();
    while (switches < kSwitches || std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500))
        rejected += hak_set_strategy(++switches % 2 ? &kB : &kA) != HAK_OK;
    done.store(true);
    for (std::thread& th : threads) th.join();

    EXPECT_EQ(mixed.load(), 0u) << "of " << snapshots.load() << " snapshots; the first mixed one: "
                                << Show(first_mixed) << ", A " << Show(a) << ", B " << Show(b);
    EXPECT_EQ(abi_mixed.load(), 0u) << "of " << abi_reads.load() << " hak_get_strategy reads";
    EXPECT_EQ(rejected, 0) << "of " << switches << " switches";
    EXPECT_GT(allocations.load(), 0u);
    EXPECT_GT(seen_a.load(), 0u);
    EXPECT_GT(seen_b.load(), 0u);
    EXPECT_EQ(alloc_failures.load(), 0u);
    EXPECT_EQ(corrupt.load(), 0u) << "blocks changed while the strategy switched";
    EXPECT_EQ(hak_set_strategy(&original), HAK_OK);
}

}  // namespace
