// Reading telemetry: the JSON file (parsed by python3's json module) holds the
// same numbers as hak_get_site_stats; it and the heap profile are written
// atomically (never through a planted symlink, whole even with concurrent
// writers); old, smaller structs are filled only as far as they reach.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <map>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "policy/options.h"
#include "telemetry_test_support.h"

namespace {

using hakt::Opaque;
using telt::FakeSite;

using TelemetryReport = telt::SampledTest;
using telt::InChild;
using telt::ReadFile;
using telt::RunCommand;
using telt::RunSelf;

TEST_F(TelemetryReport, JsonOutputParsesAndHoldsTheSameNumbersAsTheStructApi) {
    const hak_callsite_t sites[] = {FakeSite(10, 0), FakeSite(10, 1), HAK_SITE()};
    std::vector<void*> keep;
    for (int i = 0; i < 20000; ++i) {
        for (size_t k = 0; k < 3; ++k) {
            size_t size = 32 + 100 * k + size_t(i % 7);
            void* p = hak_alloc_at(Opaque(size), sites[k]);
            if (i % 3 == 0) keep.push_back(p); else hak_free(p);
        }
    }
    std::map<hak_callsite_t, hak_site_stats_t> api;
    for (const auto& s : telt::AllSites()) api[s.site] = s;

    char pattern[] = "/tmp/hakmem_telemetry_json_XXXXXX";
    int fd = mkstemp(pattern);
    ASSERT_GE(fd, 0);
    close(fd);
    std::string path = std::string(pattern) + "_%p.json";  // %p: the pid
    std::string written = std::string(pattern) + "_" + std::to_string(getpid()) + ".json";
    ASSERT_EQ(hak_write_stats_json(path.c_str()), HAK_OK);
    ASSERT_EQ(access(written.c_str(), R_OK), 0) << written;
    {
        // The temporary file (written + ".tmp.<unique>") was renamed, not left behind.
        const std::string tmp_prefix = written.substr(written.rfind('/') + 1) + ".tmp.";
        DIR* d = opendir("/tmp");
        ASSERT_NE(d, nullptr);
        while (dirent* e = readdir(d)) EXPECT_NE(std::strncmp(e->d_name, tmp_prefix.c_str(), tmp_prefix.size()), 0) << e->d_name;
        closedir(d);
    }

    // One line per site: its id and the numbers, in the struct's order.
    const std::string script_path = std::string(pattern) + ".py";
    FILE* py = std::fopen(script_path.c_str(), "w");
    ASSERT_NE(py, nullptr);
    std::fputs(
        "import json, sys\n"
        "d = json.load(open(sys.argv[1]))\n"
        "print('sample_bytes', d['stats']['telemetry_sample_bytes'])\n"
        "keys = ['samples', 'allocs', 'bytes', 'live_bytes', 'peak_live_bytes', 'size_p50', 'size_p95', 'size_p99',\n"
        "        'freed_samples', 'lifetime_p50_ns', 'lifetime_p95_ns', 'lifetime_p99_ns']\n"
        "for s in d['sites']:\n"
        "    print(int(s['site'], 16), s['location'].replace(' ', '_'), *[s[k] for k in keys])\n",
        py);
    std::fclose(py);
    std::string out = RunCommand("python3 '" + script_path + "' '" + written + "' 2>&1");
    unlink(script_path.c_str());
    unlink(written.c_str());
    unlink(pattern);
    ASSERT_NE(out.find("sample_bytes 4096"), std::string::npos) << out;

    std::map<hak_callsite_t, std::vector<uint64_t>> json;
    std::map<hak_callsite_t, std::string> location;
    for (const std::string& line : hakt::Lines(out)) {
        unsigned long long site = 0;
        char loc[512];
        uint64_t v[12];
        if (std::sscanf(line.c_str(), "%llu %511s %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu", &site, loc, &v[0],
                        &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11]) != 14)
            continue;
        json[site] = std::vector<uint64_t>(v, v + 12);
        location[site] = loc;
    }
    for (hak_callsite_t site : sites) {
        ASSERT_TRUE(api.count(site)) << std::hex << site;
        ASSERT_TRUE(json.count(site)) << std::hex << site << " missing from:\n" << out;
        const hak_site_stats_t& a = api[site];
        std::vector<uint64_t> want = {a.samples,  a.allocs,        a.bytes,           a.live_bytes,
                                      a.peak_live_bytes, a.size_p50, a.size_p95,       a.size_p99,
                                      a.freed_samples,   a.lifetime_p50_ns, a.lifetime_p95_ns, a.lifetime_p99_ns};
        EXPECT_EQ(json[site], want) << std::hex << site;
        EXPECT_GT(a.live_bytes, 0u);
    }
    // A HAK_SITE() id is shown as its file and line.
    EXPECT_NE(location[sites[2]].find("report_test.cpp:"), std::string::npos) << location[sites[2]];
    for (void* p : keep) hak_free(p);
}

TEST_F(TelemetryReport, JsonToAnUnwritablePathFailsWithoutLeavingFiles) {
    EXPECT_EQ(hak_write_stats_json("/nonexistent-dir/x.json"), HAK_E_IO);
    EXPECT_EQ(hak_write_stats_json(""), HAK_E_INVALID);
    EXPECT_EQ(hak_write_stats_json(nullptr), HAK_E_INVALID);
}

// Whole JSON as far as a cheap check can tell: one object, braces and
// brackets balanced outside strings, nothing after the end.
bool LooksWhole(const std::string& text) {
    if (text.size() < 2 || text.front() != '{' || text.compare(text.size() - 2, 2, "}\n") != 0) return false;
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '{' || c == '[') ++depth;
        else if (c == '}' || c == ']') {
            if (--depth < 0) return false;
            if (depth == 0 && i + 2 != text.size()) return false;
        }
    }
    return depth == 0 && !in_string;
}

// The files the reports write go through one writer (os::replace_file):
// each test below runs for each report.
struct ReportWriter {
    const char* name;
    int (*write)(const char* path);
    bool (*whole)(const std::string& text);
};
std::ostream& operator<<(std::ostream& os, const ReportWriter& w) { return os << w.name; }

const ReportWriter kReportWriters[] = {
    {"json", hak_write_stats_json, LooksWhole},
    {"heap_profile", hak_write_heap_profile,
     [](const std::string& text) { return telt::ParseHeapProfile(text).error.empty(); }},
};

class ReportFile : public telt::FileDirTest, public ::testing::WithParamInterface<ReportWriter> {};

INSTANTIATE_TEST_SUITE_P(Writers, ReportFile, ::testing::ValuesIn(kReportWriters),
                         [](const ::testing::TestParamInfo<ReportWriter>& info) {
                             return std::string(info.param.name);
                         });

TEST_P(ReportFile, ASymlinkPlantedAtAPlausibleTemporaryNameIsNotFollowed) {
    const std::string target = dir_ + "/precious";
    const std::string final_path = dir_ + "/report";
    {
        FILE* f = fopen(target.c_str(), "w");
        ASSERT_NE(f, nullptr);
        fputs("precious\n", f);
        fclose(f);
    }
    // The names a writer of this process might use: the old fixed one, and
    // the pid.tid.counter prefixes of the new ones (their random tail cannot
    // be guessed, but a planted name must be skipped even if it were).
    const std::string pid = std::to_string(getpid());
    const std::string tid = std::to_string(syscall(SYS_gettid));
    std::vector<std::string> planted = {final_path + ".tmp." + pid, final_path + ".tmp." + pid + "." + tid};
    for (int k = 0; k < 8; ++k) planted.push_back(final_path + ".tmp." + pid + "." + tid + "." + std::to_string(k));
    for (const std::string& link : planted) ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0) << link;

    ASSERT_EQ(GetParam().write(final_path.c_str()), HAK_OK);

    EXPECT_EQ(ReadFile(target), "precious\n") << "the write went through a planted symlink";
    struct stat st;
    ASSERT_EQ(lstat(final_path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << "the final name must be a regular file, not a link";
    EXPECT_TRUE(GetParam().whole(ReadFile(final_path)));
    for (const std::string& link : planted) {
        ASSERT_EQ(lstat(link.c_str(), &st), 0) << link << " was removed";
        EXPECT_TRUE(S_ISLNK(st.st_mode)) << link;
    }
    // Nothing else left behind: the target, the report and the links.
    EXPECT_EQ(Entries().size(), planted.size() + 2);
}

TEST_P(ReportFile, ASymlinkAtTheFinalNameIsReplacedNotFollowed) {
    const std::string target = dir_ + "/precious";
    const std::string final_path = dir_ + "/report";
    ASSERT_EQ(symlink(target.c_str(), final_path.c_str()), 0);
    ASSERT_EQ(GetParam().write(final_path.c_str()), HAK_OK);
    EXPECT_NE(access(target.c_str(), F_OK), 0) << "the link's target was created";
    struct stat st;
    ASSERT_EQ(lstat(final_path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_P(ReportFile, ConcurrentWritersOfOnePathAllSucceedAndReadersOnlySeeWholeFiles) {
    const std::string final_path = dir_ + "/report";
    constexpr int kWriters = 8, kWritesEach = 25;
    std::atomic<int> failures{0}, running{kWriters}, torn{0}, reads{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < kWriters; ++t)
        writers.emplace_back([&] {
            for (int i = 0; i < kWritesEach; ++i)
                if (GetParam().write(final_path.c_str()) != HAK_OK) failures.fetch_add(1);
            running.fetch_sub(1);
        });
    std::thread reader([&] {
        while (running.load() > 0) {
            std::string text = ReadFile(final_path);
            if (text.empty()) continue;  // not written yet
            reads.fetch_add(1);
            if (!GetParam().whole(text)) torn.fetch_add(1);
        }
    });
    for (auto& w : writers) w.join();
    reader.join();
    EXPECT_EQ(failures.load(), 0) << "of " << kWriters * kWritesEach << " writes";
    EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads saw a partial file";
    EXPECT_TRUE(GetParam().whole(ReadFile(final_path)));
    EXPECT_EQ(Entries(), std::vector<std::string>{"report"}) << "temporary files were left behind";
}

// The stats struct of an ABI 1.0 client ends before the telemetry fields.
TEST_F(TelemetryReport, AnOldSizeStatsStructIsFilledWithoutWritingPastItsEnd) {
    constexpr size_t kOld = offsetof(hak_stats_t, telemetry_samples);
    alignas(hak_stats_t) unsigned char buf[sizeof(hak_stats_t) + 64];
    std::memset(buf, 0xAB, sizeof buf);
    auto* s = reinterpret_cast<hak_stats_t*>(buf);
    s->struct_size = kOld;
    hak_free(hak_alloc_at(Opaque(size_t{100}), FakeSite(11, 0)));
    ASSERT_EQ(hak_get_stats(s), HAK_OK);
    EXPECT_EQ(s->struct_size, kOld);
    EXPECT_GT(s->allocs, 0u);
    for (size_t i = kOld; i < sizeof buf; ++i) ASSERT_EQ(buf[i], 0xAB) << "byte " << i << " written";
}

// An older hak_site_stats_t (ending after peak_live_bytes): the array's stride
// is that size, each element is filled to it, and nothing past the array is
// touched.
TEST_F(TelemetryReport, AnOldSizeSiteStatsArrayIsFilledWithoutWritingPastItsEnd) {
    for (int k = 0; k < 3; ++k) {
        hak_callsite_t site = FakeSite(12, k);
        for (int i = 0; i < 2000 * (k + 1); ++i) hak_free(hak_alloc_at(Opaque(size_t{512}), site));
    }
    constexpr size_t kOld = offsetof(hak_site_stats_t, size_p50), kCount = 3;
    alignas(hak_site_stats_t) unsigned char buf[kOld * kCount + 256];
    std::memset(buf, 0xAB, sizeof buf);
    reinterpret_cast<hak_site_stats_t*>(buf)->struct_size = kOld;
    size_t n = kCount;
    ASSERT_EQ(hak_get_site_stats(reinterpret_cast<hak_site_stats_t*>(buf), &n), HAK_OK);
    ASSERT_EQ(n, kCount);
    uint64_t last_bytes = UINT64_MAX;
    for (size_t i = 0; i < n; ++i) {
        hak_site_stats_t e;
        std::memcpy(&e, buf + i * kOld, kOld);
        EXPECT_EQ(e.struct_size, kOld);
        EXPECT_GT(e.samples, 0u);
        EXPECT_LE(e.bytes, last_bytes) << "sorted by bytes, most first";
        last_bytes = e.bytes;
    }
    for (size_t i = kOld * kCount; i < sizeof buf; ++i) ASSERT_EQ(buf[i], 0xAB) << "byte " << i << " written";

    size_t zero = 0;
    EXPECT_EQ(hak_get_site_stats(reinterpret_cast<hak_site_stats_t*>(buf), &zero), HAK_OK);
    EXPECT_EQ(zero, 0u);
    EXPECT_EQ(hak_get_site_stats(nullptr, &n), HAK_E_INVALID);
    reinterpret_cast<hak_site_stats_t*>(buf)->struct_size = 4;
    EXPECT_EQ(hak_get_site_stats(reinterpret_cast<hak_site_stats_t*>(buf), &n), HAK_E_INVALID);
}

TEST_F(TelemetryReport, StatsCountSamplesSitesAndTheInterval) {
    hak_stats_t before{}, after{};
    before.struct_size = after.struct_size = sizeof(hak_stats_t);
    ASSERT_EQ(hak_get_stats(&before), HAK_OK);
    for (int i = 0; i < 10000; ++i) hak_free(hak_alloc_at(Opaque(size_t{1000}), FakeSite(13, i % 4)));
    ASSERT_EQ(hak_get_stats(&after), HAK_OK);
    EXPECT_GT(after.telemetry_samples, before.telemetry_samples + 1000);
    EXPECT_GT(after.telemetry_sampled_frees, before.telemetry_sampled_frees + 1000);
    EXPECT_GE(after.telemetry_sites, before.telemetry_sites);
    EXPECT_GE(after.telemetry_sites, 4u);
    EXPECT_EQ(after.telemetry_sample_bytes, telt::kTestSampleBytes);
}

// ---- the switches, seen from a fresh process -----------------------------
// The options are read once at start, so these run this test binary again
// with the environment set; the child part of each test only runs there.

void AllocateAtThreeSites() {
    for (int i = 0; i < 200000; ++i)
        for (uint32_t k = 0; k < 3; ++k) hak_free(hak_alloc_at(Opaque(size_t{64} << k), FakeSite(20, k)));
}

TEST(TelemetrySwitchChild, Off) {
    if (!InChild()) GTEST_SKIP() << "runs in the child of TelemetrySwitches";
    AllocateAtThreeSites();
    hak_stats_t s{};
    s.struct_size = sizeof s;
    ASSERT_EQ(hak_get_stats(&s), HAK_OK);
    EXPECT_FALSE(hakmem::telemetry_enabled());
    EXPECT_EQ(s.telemetry_samples, 0u);
    size_t n = 8;
    hak_site_stats_t sites[8];
    sites[0].struct_size = sizeof sites[0];
    ASSERT_EQ(hak_get_site_stats(sites, &n), HAK_OK);
    EXPECT_EQ(n, 0u);
}

TEST(TelemetrySwitchChild, FixedInterval) {
    if (!InChild()) GTEST_SKIP() << "runs in the child of TelemetrySwitches";
    EXPECT_TRUE(hakmem::telemetry_enabled());
    EXPECT_EQ(hakmem::telemetry_sample_bytes(), 64u * 1024);
    AllocateAtThreeSites();  // 67 MiB: ~1000 samples at 64 KiB
    EXPECT_GT(telt::SiteStats(FakeSite(20, 2)).samples, 100u);
}

TEST(TelemetrySwitchChild, Allocate) {
    if (!InChild()) GTEST_SKIP() << "runs in the child of TelemetrySwitches";
    AllocateAtThreeSites();
}

TEST(TelemetrySwitches, OffRecordsNothingAndSampleBytesFixesTheInterval) {
    if (InChild()) GTEST_SKIP();
    std::string off = RunSelf("HAKMEM_TELEMETRY=off", "TelemetrySwitchChild.Off");
    EXPECT_NE(off.find("[  PASSED  ] 1 test"), std::string::npos) << off;
    EXPECT_NE(off.find("exit=0"), std::string::npos) << off;
    std::string fixed = RunSelf("HAKMEM_SAMPLE_BYTES=64k", "TelemetrySwitchChild.FixedInterval");
    EXPECT_NE(fixed.find("[  PASSED  ] 1 test"), std::string::npos) << fixed;
    int64_t v = 0;
    EXPECT_TRUE(hakmem::option_parse(hakmem::Option::kTelemetry, "off", &v));
    EXPECT_EQ(v, 0);
    EXPECT_TRUE(hakmem::option_parse(hakmem::Option::kSampleBytes, "1M", &v));
    EXPECT_EQ(v, 1 << 20);
    EXPECT_FALSE(hakmem::option_parse(hakmem::Option::kSampleBytes, "fast", &v));
}

TEST(TelemetrySwitches, ShowStatsPrintsTheTopSitesAndStatsJsonIsWrittenAtExit) {
    if (InChild()) GTEST_SKIP();
    char pattern[] = "/tmp/hakmem_telemetry_exit_XXXXXX";
    int fd = mkstemp(pattern);
    ASSERT_GE(fd, 0);
    close(fd);
    std::string json = std::string(pattern) + ".json";
    std::string out = RunSelf("HAKMEM_SHOW_STATS=1 HAKMEM_STATS_JSON='" + json + "'", "TelemetrySwitchChild.Allocate");
    unlink(pattern);
    EXPECT_NE(out.find("hakmem telemetry: "), std::string::npos) << out;
    EXPECT_NE(out.find("hakmem sites:  bytes  count size50 size95 life50 life95   live   peak  site"), std::string::npos)
        << out;
    EXPECT_NE(out.find("  0x5e00014"), std::string::npos) << "the fake sites are named by address:\n" << out;
    std::string parsed = RunCommand("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                                    "print(len(d[\"sites\"]) > 0, d[\"stats\"][\"telemetry_samples\"] > 0)' '" + json + "'");
    unlink(json.c_str());
    EXPECT_EQ(parsed, "True True\n");
}

}  // namespace
