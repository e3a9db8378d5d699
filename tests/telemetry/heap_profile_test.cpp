// The heap profile (telemetry/heap_profile.h): its lines parse, the header
// holds their totals, pprof's un-sampling of each line gives back the
// site's estimates (live and allocated), sites are written as pprof needs
// them, the memory map is copied, errors come back as codes, and it is
// written at exit when HAKMEM_HEAP_PROFILE is set. Atomic writing (planted
// links, concurrent writers) is tested with the JSON file's tests
// (report_test.cpp, ReportFile). The real google-pprof reads one in the
// heap_profile_pprof case of tests/preload/preload_driver.py.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "telemetry/heap_profile.h"
#include "telemetry/proc_maps.h"
#include "telemetry_test_support.h"

namespace {

using hakt::Opaque;
using telt::FakeSite;
using telt::HeapProfile;
using telt::ParseHeapProfile;
using telt::ProfileLine;
using telt::Unsample;
using hakmem::telemetry::profile_counts;

using HeapProfileTest = telt::SampledTest;

// The profile hak_write_heap_profile writes now, parsed.
HeapProfile WriteAndParse() {
    char pattern[] = "/tmp/hakmem_heap_profile_XXXXXX";
    int fd = mkstemp(pattern);
    EXPECT_GE(fd, 0);
    close(fd);
    EXPECT_EQ(hak_write_heap_profile(pattern), HAK_OK);
    HeapProfile p = ParseHeapProfile(telt::ReadFile(pattern));
    unlink(pattern);
    return p;
}

const ProfileLine* LineAt(const HeapProfile& p, uint64_t address) {
    for (const ProfileLine& l : p.lines)
        if (l.address == address) return &l;
    return nullptr;
}

// pprof's figure against hakmem's estimate: equal but for the rounding of
// the line's objects to whole samples, n for the exact C q (|n - C q| <= 1/2).
// pprof's bytes move with n (for small blocks each sample stands for R
// bytes), its objects with n squared (n times 1/p, and p falls with the
// average bytes / n).
double BytesTolerance(uint64_t n) { return double(n) / (double(n) - 0.5) - 1 + 1e-3; }
double ObjectsTolerance(uint64_t n) {
    double r = double(n) / (double(n) - 0.5);
    return r * r - 1 + 1e-3;
}

void ExpectUnsampledNear(uint64_t objects, uint64_t bytes, uint64_t period, double want_objects, double want_bytes,
                         const char* what) {
    ASSERT_GT(objects, 0u) << what;
    telt::Unsampled u = Unsample(objects, bytes, period);
    EXPECT_NEAR(u.objects, want_objects, want_objects * ObjectsTolerance(objects)) << what << ": objects " << objects;
    EXPECT_NEAR(u.bytes, want_bytes, want_bytes * BytesTolerance(objects)) << what << ": bytes " << bytes;
}

TEST(HeapProfileCounts, ASiteOfOneSizeSampledAtTheFileIntervalShowsExactlyItsSamples) {
    for (uint64_t period : {uint64_t{4096}, uint64_t{512} * 1024}) {
        for (uint64_t size : {uint64_t{16}, uint64_t{64}, uint64_t{4096}, uint64_t{1} << 20}) {
            for (uint64_t samples : {1, 7, 1000}) {
                double p = -std::expm1(-double(size) / double(period));
                auto c = profile_counts(double(samples) / p, double(samples * size) / p, period);
                EXPECT_EQ(c.objects, samples) << size << " B at " << period;
                EXPECT_NEAR(double(c.bytes), double(samples * size), 1.0) << size << " B at " << period;
            }
        }
    }
}

// A site of mixed sizes, or sampled at a raised interval (the rate
// controller): pprof scales a line by the p of its average size, so the
// line carries hakmem's estimates in the form that scaling inverts.
TEST(HeapProfileCounts, PprofsUnsamplingGivesBackTheEstimatesOfAMixedSite) {
    const uint64_t period = 512 * 1024;
    // 10 samples of 64 B and 5 of 1 MiB, as the sampler weighs them.
    double p64 = -std::expm1(-64.0 / period), p1m = -std::expm1(-1048576.0 / period);
    double objects = 10 / p64 + 5 / p1m, bytes = 10 * 64 / p64 + 5 * 1048576 / p1m;
    auto c = profile_counts(objects, bytes, period);
    ExpectUnsampledNear(c.objects, c.bytes, period, objects, bytes, "mixed");
    // Samples drawn at 4x the file's interval weigh 4x as much as its own.
    double p_raised = -std::expm1(-64.0 / (4 * period));
    c = profile_counts(100 / p_raised, 6400 / p_raised, period);
    ExpectUnsampledNear(c.objects, c.bytes, period, 100 / p_raised, 6400 / p_raised, "raised interval");
}

TEST(HeapProfileCounts, NothingOrLessThanHalfASampleWritesNothing) {
    EXPECT_EQ(profile_counts(0, 0, 4096).objects, 0u);
    EXPECT_EQ(profile_counts(-3, 100, 4096).bytes, 0u);
    // 10 blocks of 16 B at 512 KiB are 0.0003 samples: no count pprof could scale.
    auto c = profile_counts(10, 160, 512 * 1024);
    EXPECT_EQ(c.objects, 0u);
    EXPECT_EQ(c.bytes, 0u) << "pprof refuses bytes with a count of 0";
}

TEST_F(HeapProfileTest, LinesParseTheHeaderHoldsTheirTotalsAndPprofsFiguresAreTheSiteEstimates) {
    const hak_callsite_t kept = FakeSite(30, 0), mixed = FakeSite(30, 1), freed = FakeSite(30, 2);
    std::vector<void*> keep;
    for (int i = 0; i < 20000; ++i) {
        void* p = hak_alloc_at(Opaque(size_t{64}), kept);
        if (i % 3 == 0) keep.push_back(p); else hak_free(p);
        p = hak_alloc_at(Opaque(i % 50 == 0 ? size_t{48} << 10 : size_t{100}), mixed);
        if (i % 2 == 0) keep.push_back(p); else hak_free(p);
        hak_free(hak_alloc_at(Opaque(size_t{3000}), freed));
    }
    std::map<hak_callsite_t, hak_site_stats_t> api;
    for (const auto& s : telt::AllSites()) api[s.site] = s;
    HeapProfile p = WriteAndParse();
    ASSERT_EQ(p.error, "");
    EXPECT_EQ(p.period, telt::kTestSampleBytes) << "the interval the samples were drawn at";

    ProfileLine sum{};
    for (const ProfileLine& l : p.lines) {
        sum.inuse_objects += l.inuse_objects, sum.inuse_bytes += l.inuse_bytes;
        sum.alloc_objects += l.alloc_objects, sum.alloc_bytes += l.alloc_bytes;
    }
    EXPECT_EQ(p.total.inuse_objects, sum.inuse_objects);
    EXPECT_EQ(p.total.inuse_bytes, sum.inuse_bytes);
    EXPECT_EQ(p.total.alloc_objects, sum.alloc_objects);
    EXPECT_EQ(p.total.alloc_bytes, sum.alloc_bytes);
    for (size_t i = 1; i < p.lines.size(); ++i)
        EXPECT_GE(p.lines[i - 1].inuse_bytes, p.lines[i].inuse_bytes) << "most live bytes first";

    for (hak_callsite_t site : {kept, mixed, freed}) {
        SCOPED_TRACE(testing::Message() << std::hex << site);
        ASSERT_TRUE(api.count(site));
        const ProfileLine* l = LineAt(p, site);
        ASSERT_NE(l, nullptr) << "an explicit site id is written as it is";
        const hak_site_stats_t& a = api[site];
        ExpectUnsampledNear(l->alloc_objects, l->alloc_bytes, p.period, double(a.allocs), double(a.bytes), "alloc");
        if (site == freed) {
            EXPECT_EQ(l->inuse_objects, 0u) << "every block was freed";
            EXPECT_EQ(l->inuse_bytes, 0u);
        } else {
            ASSERT_GT(a.live_bytes, 0u);
            telt::Unsampled u = Unsample(l->inuse_objects, l->inuse_bytes, p.period);
            EXPECT_NEAR(u.bytes, double(a.live_bytes), double(a.live_bytes) * BytesTolerance(l->inuse_objects));
        }
    }
    // One size: the lines are whole samples, the live ones among all.
    EXPECT_LE(LineAt(p, kept)->inuse_objects, LineAt(p, kept)->alloc_objects);
    // And near the truth: `kept` has 6667 blocks of 64 B live (within 5
    // standard errors of the estimate).
    telt::Unsampled live = Unsample(LineAt(p, kept)->inuse_objects, LineAt(p, kept)->inuse_bytes, p.period);
    const std::vector<size_t> live_sizes(6667, 64);
    EXPECT_NEAR(live.bytes, 6667.0 * 64, 5 * telt::BytesSd(live_sizes));
    EXPECT_NEAR(live.objects, 6667.0, 5 * telt::CountSd(live_sizes));
    for (void* q : keep) hak_free(q);

    // After the frees nothing of `kept` is live any more.
    HeapProfile after = WriteAndParse();
    ASSERT_EQ(after.error, "");
    ASSERT_NE(LineAt(after, kept), nullptr);
    EXPECT_EQ(LineAt(after, kept)->inuse_bytes, 0u);
    EXPECT_GE(LineAt(after, kept)->alloc_bytes, LineAt(p, kept)->alloc_bytes);
}

__attribute__((noinline)) uintptr_t SomeCode() {
    asm volatile("" ::: "memory");
    return reinterpret_cast<uintptr_t>(__builtin_return_address(0));
}

TEST_F(HeapProfileTest, AReturnAddressIsWrittenAsItsCallInstructionAndAHakSiteIdAsItIs) {
    // A site inside code, as malloc's caller's return address would be.
    const hak_callsite_t code_site = SomeCode();
    const hak_callsite_t record_site = HAK_SITE();
    for (int i = 0; i < 2000; ++i) {
        hak_free(hak_alloc_at(Opaque(size_t{1024}), code_site));
        hak_free(hak_alloc_at(Opaque(size_t{1024}), record_site));
    }
    HeapProfile p = WriteAndParse();
    ASSERT_EQ(p.error, "");
    EXPECT_NE(LineAt(p, code_site - 1), nullptr) << "the byte before a return address is in its call";
    EXPECT_EQ(LineAt(p, code_site), nullptr);
    EXPECT_NE(LineAt(p, record_site), nullptr) << "the HAK_SITE() id, tagged, as the JSON report shows it";
}

TEST_F(HeapProfileTest, TheMemoryMapIsCopiedForPprofToFindTheObjects) {
    hak_free(hak_alloc_at(Opaque(size_t{100000}), FakeSite(31, 0)));
    HeapProfile p = WriteAndParse();
    ASSERT_EQ(p.error, "");
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ASSERT_GT(n, 0);
    exe[n] = 0;
    EXPECT_NE(p.maps.find(std::string(" r-xp ")), std::string::npos) << p.maps.substr(0, 2000);
    EXPECT_NE(p.maps.find(exe), std::string::npos) << "the test binary's own mappings";
    EXPECT_NE(p.maps.find("[stack]"), std::string::npos);
}

TEST(HeapProfileFile, BadPathsGiveTheLibrarysErrorCodes) {
    EXPECT_EQ(hak_write_heap_profile(nullptr), HAK_E_INVALID);
    EXPECT_EQ(hak_write_heap_profile(""), HAK_E_INVALID);
    EXPECT_EQ(hak_write_heap_profile("/nonexistent-dir/x.heap"), HAK_E_IO);
    EXPECT_EQ(hak_write_heap_profile(std::string(5000, 'x').c_str()), HAK_E_INVALID) << "longer than a path can be";
}

// ---- the executable mappings --------------------------------------------------

// A memory map text as a file descriptor (read in 4 KiB chunks by load()).
int MapsFd(const std::string& text) {
    int fd = memfd_create("maps", 0);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, text.data(), text.size()), ssize_t(text.size()));
    lseek(fd, 0, SEEK_SET);
    return fd;
}

TEST(CodeRanges, OnlyExecutableMappingsCountAndLinesAcrossReadChunksAreWhole) {
    std::string text;
    // Enough data mappings with long paths that later lines straddle a
    // 4 KiB read, then code among them, and a last line without a newline.
    for (int i = 0; i < 60; ++i) {
        char line[256];
        snprintf(line, sizeof line, "%llx-%llx rw-p 00000000 00:00 0   /a/long/path/to/a/data/file/number/%04d\n",
                 0x10000000ull + i * 0x10000ull, 0x10000000ull + i * 0x10000ull + 0x1000, i);
        text += line;
    }
    text += "7f0000001000-7f0000005000 r-xp 00001000 08:01 42   /usr/lib/libexample.so\n";
    text += "7f0000005000-7f0000006000 r--p 00005000 08:01 42   /usr/lib/libexample.so\n";
    text += "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0   [vsyscall]";
    ASSERT_GT(text.size(), 4096u);
    int fd = MapsFd(text);
    auto* ranges = new hakmem::telemetry::CodeRanges();
    ASSERT_TRUE(ranges->load(fd));
    close(fd);
    EXPECT_EQ(ranges->size(), 2u);
    EXPECT_TRUE(ranges->contains(0x7f0000001000));
    EXPECT_TRUE(ranges->contains(0x7f0000004fff));
    EXPECT_FALSE(ranges->contains(0x7f0000005000)) << "the end is exclusive; r--p is data";
    EXPECT_FALSE(ranges->contains(0x7f0000000fff));
    EXPECT_FALSE(ranges->contains(0x10000010));
    EXPECT_TRUE(ranges->contains(0xffffffffff600400)) << "the last line has no newline";
    EXPECT_FALSE(ranges->contains(0));
    delete ranges;
}

TEST(CodeRanges, TheProcessesOwnCodeIsFoundAndItsDataIsNot) {
    auto* ranges = new hakmem::telemetry::CodeRanges();
    ASSERT_TRUE(ranges->load_self());
    EXPECT_TRUE(ranges->contains(SomeCode()));
    static int data = 1;
    EXPECT_FALSE(ranges->contains(reinterpret_cast<uintptr_t>(&data)));
    delete ranges;
}

// ---- at exit --------------------------------------------------------------------

TEST(HeapProfileAtExit, HeapProfileNamesAFileWrittenAtExitWithPidExpanded) {
    if (telt::InChild()) GTEST_SKIP();
    char dir[] = "/tmp/hakmem_heap_profile_exit_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string out = telt::RunSelf("HAKMEM_SAMPLE_BYTES=64k HAKMEM_HEAP_PROFILE='" + std::string(dir) + "/%p.heap'",
                                    "TelemetrySwitchChild.Allocate");
    EXPECT_NE(out.find("exit=0"), std::string::npos) << out;
    std::string listing = telt::RunCommand("ls '" + std::string(dir) + "'");
    std::string name = listing.substr(0, listing.find('\n'));
    std::string path = std::string(dir) + "/" + name;
    HeapProfile p = ParseHeapProfile(telt::ReadFile(path));
    unlink(path.c_str());
    rmdir(dir);
    ASSERT_EQ(listing.find('\n'), listing.size() - 1) << "one file: " << listing;
    ASSERT_GT(name.size(), 5u);
    EXPECT_GT(std::stol(name), 0) << "%p became the child's pid: " << name;
    EXPECT_EQ(name.substr(name.size() - 5), ".heap");
    ASSERT_EQ(p.error, "");
    EXPECT_EQ(p.period, 64u * 1024);
    // The sites of TelemetrySwitchChild.Allocate (report_test.cpp): three
    // sizes, every block freed.
    for (uint32_t k = 0; k < 3; ++k) {
        const hak_callsite_t site = FakeSite(20, k);
        const ProfileLine* l = LineAt(p, site);
        ASSERT_NE(l, nullptr) << std::hex << site;
        EXPECT_GT(l->alloc_bytes, 0u);
        EXPECT_EQ(l->inuse_bytes, 0u) << "every block was freed before exit";
    }
}

TEST(HeapProfileAtExit, WithTelemetryOffItWarnsAtStartAndWritesAnEmptyProfile) {
    if (telt::InChild()) GTEST_SKIP();
    char pattern[] = "/tmp/hakmem_heap_profile_off_XXXXXX";
    int fd = mkstemp(pattern);
    ASSERT_GE(fd, 0);
    close(fd);
    std::string out = telt::RunSelf("HAKMEM_TELEMETRY=0 HAKMEM_HEAP_PROFILE='" + std::string(pattern) + "'",
                                    "TelemetrySwitchChild.Allocate");
    HeapProfile p = ParseHeapProfile(telt::ReadFile(pattern));
    unlink(pattern);
    EXPECT_NE(out.find("warning: HAKMEM_HEAP_PROFILE needs HAKMEM_TELEMETRY=1"), std::string::npos) << out;
    ASSERT_EQ(p.error, "");
    EXPECT_TRUE(p.lines.empty());
    EXPECT_EQ(p.total.alloc_bytes, 0u);
}

}  // namespace
