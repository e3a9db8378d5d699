// Shared by the telemetry tests that go through the allocator: a fixture
// that samples at a small fixed rate, and lookups of a site's statistics.
#ifndef HAKMEM_TELEMETRY_TEST_SUPPORT_H
#define HAKMEM_TELEMETRY_TEST_SUPPORT_H

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
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

// ---- files and processes ------------------------------------------------------

inline std::string RunCommand(const std::string& cmd) {
    std::string out;
    FILE* f = popen(cmd.c_str(), "r");
    if (f == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    pclose(f);
    return out;
}

inline std::string ReadFile(const std::string& path) {
    std::string text;
    if (FILE* f = fopen(path.c_str(), "r")) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
        fclose(f);
    }
    return text;
}

// The options are read once at start, so tests of an option run this test
// binary again with the environment set, filtered to a child test that
// only runs there (InChild). Output and "exit=<status>" are returned.
inline bool InChild() { return std::getenv("HAKMEM_TEST_TELEMETRY_CHILD") != nullptr; }
inline std::string RunSelf(const std::string& env, const std::string& filter) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "readlink failed";
    exe[n] = 0;
    return RunCommand(env + " HAKMEM_TEST_TELEMETRY_CHILD=1 '" + std::string(exe) + "' --gtest_filter=" + filter +
                      " 2>&1; echo \"exit=$?\"");
}

// A fresh directory for one test's files, removed with its contents.
class FileDirTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/hakmem_report_dir_XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        for (const std::string& name : Entries()) unlink((dir_ + "/" + name).c_str());
        rmdir(dir_.c_str());
    }
    std::vector<std::string> Entries() const { return hakt::DirEntries(dir_); }
    std::string dir_;
};

// ---- the heap profile (telemetry/heap_profile.h) ------------------------------

struct ProfileLine {
    uint64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes;
    uint64_t address;  // the header's line: 0
};

struct HeapProfile {
    std::string error;  // empty when the text is a whole profile
    ProfileLine total{};
    uint64_t period = 0;
    std::vector<ProfileLine> lines;
    std::string maps;  // the text after MAPPED_LIBRARIES:
};

// Parses the text strictly: the header, then one line per site up to an
// empty line, then MAPPED_LIBRARIES: and the memory map (at least one line,
// ending in a newline).
inline HeapProfile ParseHeapProfile(const std::string& text) {
    HeapProfile p;
    size_t pos = 0;
    auto next_line = [&](std::string* line) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) return false;
        *line = text.substr(pos, end - pos);
        pos = end + 1;
        return true;
    };
    std::string line;
    unsigned long long a, b, c, d, e;
    int used = -1;
    const char* header = "heap profile: %llu: %llu [%llu: %llu] @ heap_v2/%llu%n";
    if (!next_line(&line) || std::sscanf(line.c_str(), header, &a, &b, &c, &d, &e, &used) != 5 ||
        used != static_cast<int>(line.size())) {
        p.error = "bad header: " + line;
        return p;
    }
    p.total = ProfileLine{a, b, c, d, 0};
    p.period = e;
    while (next_line(&line) && !line.empty()) {
        used = -1;
        if (std::sscanf(line.c_str(), "%llu: %llu [%llu: %llu] @ 0x%llx%n", &a, &b, &c, &d, &e, &used) != 5 ||
            used != static_cast<int>(line.size()) || line.find(" @ 0x") == std::string::npos) {
            p.error = "bad line: " + line;
            return p;
        }
        p.lines.push_back(ProfileLine{a, b, c, d, e});
    }
    if (!next_line(&line) || line != "MAPPED_LIBRARIES:") {
        p.error = "no MAPPED_LIBRARIES: after the lines";
        return p;
    }
    p.maps = text.substr(pos);
    if (p.maps.empty() || p.maps.back() != '\n') p.error = "the memory map is missing or cut";
    return p;
}

// pprof's un-sampling of a heap_v2 line (google-pprof's ReadHeapProfile,
// pprof's scaleHeapSample): objects and bytes times 1 / (1 - exp(-avg / R)).
struct Unsampled {
    double objects, bytes;
};
inline Unsampled Unsample(uint64_t objects, uint64_t bytes, uint64_t period) {
    if (objects == 0) return Unsampled{0, 0};
    double scale = 1 / -std::expm1(-(double(bytes) / double(objects)) / double(period));
    return Unsampled{double(objects) * scale, double(bytes) * scale};
}

}  // namespace telt

#endif
