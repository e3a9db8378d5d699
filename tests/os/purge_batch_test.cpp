// os::PurgeBatch (internal): ranges are sorted, adjacent ones merged, and
// released with as few system calls as the kernel allows.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "os/purge_batch.h"

namespace hakt {
namespace {

constexpr size_t kPage = 4096;

struct Mapping {
    explicit Mapping(size_t pages) : size(pages * kPage) {
        p = static_cast<unsigned char*>(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        std::memset(p, 0xAB, size);
    }
    ~Mapping() { munmap(p, size); }
    unsigned char* page(size_t i) const { return p + i * kPage; }
    unsigned char* p;
    size_t size;
};

TEST(PurgeBatchTest, AdjacentRangesAreMergedAndEveryRangeReadsBackAsZero) {
    Mapping m(16);
    hakmem::os::PurgeBatch batch;
    // Out of order; pages 2-4 adjacent; 8 alone; 10-11 adjacent.
    batch.add(m.page(3), kPage);
    batch.add(m.page(10), kPage);
    batch.add(m.page(2), kPage);
    batch.add(m.page(8), kPage);
    batch.add(m.page(4), kPage);
    batch.add(m.page(11), kPage);
    EXPECT_EQ(batch.size(), 6u);
    EXPECT_EQ(batch.bytes(), 6 * kPage);
    hakmem::os::PurgeBatchCounters before = hakmem::os::purge_batch_counters();
    size_t calls = batch.flush(hakmem::os::PurgeMode::kDontNeed);
    hakmem::os::PurgeBatchCounters after = hakmem::os::purge_batch_counters();
    EXPECT_TRUE(batch.empty());
    EXPECT_EQ(after.merged - before.merged, 3u) << "six ranges, three runs";
    EXPECT_GE(calls, 1u);
    EXPECT_LE(calls, 3u) << "one process_madvise, or one madvise per merged run";
    for (size_t i = 0; i < 16; ++i) {
        bool purged = i == 2 || i == 3 || i == 4 || i == 8 || i == 10 || i == 11;
        EXPECT_EQ(m.page(i)[0], purged ? 0 : 0xAB) << "page " << i;
        EXPECT_EQ(m.page(i)[kPage - 1], purged ? 0 : 0xAB) << "page " << i;
    }
}

TEST(PurgeBatchTest, AFullBatchIsReleasedWithOneCallWhereTheKernelBatches) {
    Mapping m(2 * hakmem::os::PurgeBatch::kCapacity);
    hakmem::os::PurgeBatch batch;
    for (size_t i = 0; i < hakmem::os::PurgeBatch::kCapacity; ++i) batch.add(m.page(2 * i), kPage);  // none adjacent
    EXPECT_TRUE(batch.full());
    size_t calls = batch.flush(hakmem::os::PurgeMode::kDontNeed);
    // process_madvise (Linux 6.13+): 1; older kernels: one madvise per range.
    EXPECT_TRUE(calls == 1 || calls == hakmem::os::PurgeBatch::kCapacity) << calls;
    for (size_t i = 0; i < hakmem::os::PurgeBatch::kCapacity; ++i) {
        EXPECT_EQ(m.page(2 * i)[0], 0);
        EXPECT_EQ(m.page(2 * i + 1)[0], 0xAB);
    }
}

}  // namespace
}  // namespace hakt
