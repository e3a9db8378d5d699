// glibc's introspection calls answer from hakmem's heap: mallinfo2 and
// mallinfo, malloc_trim, malloc_stats, malloc_info. They are exported by the
// override only; without it (sanitizer builds) glibc's own are called and
// there is nothing of hakmem's to check.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <string>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::MiB;
using hakt::Opaque;

#if HAKMEM_TEST_OVERRIDE

// Keeps memory from being released behind the test's back (a long purge
// delay, no purge thread), so only malloc_trim releases it; restores the
// strategy it found.
class Introspection : public ::testing::Test {
protected:
    void SetUp() override {
        original_.struct_size = sizeof original_;
        ASSERT_EQ(hak_get_strategy(&original_), HAK_OK);
        hak_strategy_t s = original_;
        s.purge_delay_ms = 3600 * 1000;
        s.purge_thread = 0;
        ASSERT_EQ(hak_set_strategy(&s), HAK_OK);
    }
    void TearDown() override { EXPECT_EQ(hak_set_strategy(&original_), HAK_OK); }
    hak_strategy_t original_{};
};

std::string ReadAll(FILE* f) {
    std::string text;
    rewind(f);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    return text;
}

// Well-formed as far as malloc_info's output goes: every element closed in
// order, attribute values quoted, one root, nothing outside it.
bool WellFormedXml(const std::string& xml, std::string* why) {
    std::vector<std::string> open;
    size_t i = 0, roots = 0;
    while (i < xml.size()) {
        if (xml[i] != '<') {
            if (open.empty() && !isspace(static_cast<unsigned char>(xml[i]))) return *why = "text outside the root", false;
            ++i;
            continue;
        }
        size_t end = xml.find('>', i);
        if (end == std::string::npos) return *why = "unterminated tag", false;
        std::string tag = xml.substr(i + 1, end - i - 1);
        if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return *why = "unbalanced quotes in <" + tag + ">", false;
        if (!tag.empty() && tag[0] == '/') {
            if (open.empty() || open.back() != tag.substr(1)) return *why = "mismatched </" + tag.substr(1) + ">", false;
            open.pop_back();
        } else {
            if (open.empty() && ++roots > 1) return *why = "more than one root", false;
            if (tag.empty() || tag.back() != '/') open.push_back(tag.substr(0, tag.find(' ')));
        }
        i = end + 1;
    }
    if (!open.empty()) return *why = "<" + open.back() + "> not closed", false;
    return roots == 1 || (*why = "no root", false);
}

// The size="N" attribute of the first element starting with `prefix`.
size_t SizeOf(const std::string& xml, const std::string& prefix) {
    size_t at = xml.find(prefix);
    if (at == std::string::npos) return 0;
    size_t v = xml.find("size=\"", at);
    return v == std::string::npos ? 0 : std::stoull(xml.substr(v + 6));
}

TEST_F(Introspection, Mallinfo2CountsATenMebibyteBlockAsInUse) {
    struct mallinfo2 before = mallinfo2();
    const size_t size = Opaque(10 * MiB);
    char* p = static_cast<char*>(malloc(size));
    ASSERT_NE(p, nullptr);
    memset(p, 1, size);
    struct mallinfo2 after = mallinfo2();
    EXPECT_GE(after.uordblks, before.uordblks + size);
    EXPECT_GE(after.arena, after.uordblks) << "mapped bytes cover the bytes in use";
    EXPECT_EQ(after.fordblks, after.arena - after.uordblks);
    free(p);
    EXPECT_LE(mallinfo2().uordblks + size, after.uordblks) << "the free is seen";
}

TEST_F(Introspection, MallinfoReportsTheSameHeapInInts) {
    char* p = static_cast<char*>(malloc(Opaque(10 * MiB)));
    ASSERT_NE(p, nullptr);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    struct mallinfo mi = mallinfo();
#pragma GCC diagnostic pop
    EXPECT_GE(mi.uordblks, static_cast<int>(10 * MiB));
    EXPECT_GE(mi.arena, mi.uordblks);
    free(p);
}

TEST_F(Introspection, MallocTrimAfterALargeBurstIsFreedReturnsOneAndRssFalls) {
    constexpr int kBlocks = 48;  // 48 MiB: all kept by the 64 MiB large cache
    std::vector<char*> blocks;
    for (int i = 0; i < kBlocks; ++i) {
        char* p = static_cast<char*>(malloc(Opaque(MiB)));
        ASSERT_NE(p, nullptr);
        memset(p, 1, MiB);
        blocks.push_back(p);
    }
    for (char* p : blocks) free(p);
    hak_stats_t before{}, after{};
    before.struct_size = after.struct_size = sizeof(hak_stats_t);
    ASSERT_EQ(hak_get_stats(&before), HAK_OK);
    uint64_t rss_before = hakt::ProcessRss();
    EXPECT_EQ(malloc_trim(0), 1);
    uint64_t rss_after = hakt::ProcessRss();
    ASSERT_EQ(hak_get_stats(&after), HAK_OK);
    EXPECT_LE(rss_after + 32 * MiB, rss_before) << "RSS " << rss_before / MiB << " MiB -> " << rss_after / MiB << " MiB";
    EXPECT_LE(after.bytes_mapped + 32 * MiB, before.bytes_mapped)
        << "mapped " << before.bytes_mapped / MiB << " MiB -> " << after.bytes_mapped / MiB << " MiB";
    malloc_trim(0);  // whatever the checks above freed
    EXPECT_EQ(malloc_trim(0), 0) << "nothing was freed since the last trim";
}

TEST_F(Introspection, MallocStatsPrintsGlibcsSummaryWithHakmemsBytesInUse) {
    char* p = static_cast<char*>(malloc(Opaque(10 * MiB)));
    ASSERT_NE(p, nullptr);
    testing::internal::CaptureStderr();
    malloc_stats();
    std::string out = testing::internal::GetCapturedStderr();
    free(p);
    ASSERT_EQ(out.rfind("Arena 0:\nsystem bytes     = ", 0), 0u) << out;
    EXPECT_NE(out.find("Total (incl. mmap):\n"), std::string::npos) << out;
    size_t at = out.find("in use bytes     = ");
    ASSERT_NE(at, std::string::npos) << out;
    EXPECT_GE(std::stoull(out.substr(at + 19)), 10 * MiB) << out;
}

TEST_F(Introspection, MallocInfoWritesWellFormedXmlWithHakmemsMappedBytes) {
    char* p = static_cast<char*>(malloc(Opaque(10 * MiB)));
    ASSERT_NE(p, nullptr);
    FILE* f = tmpfile();
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(malloc_info(0, f), 0);
    std::string xml = ReadAll(f);
    fclose(f);
    free(p);
    std::string why;
    EXPECT_TRUE(WellFormedXml(xml, &why)) << why << "\n" << xml;
    EXPECT_EQ(xml.rfind("<malloc version=\"1\">\n", 0), 0u) << xml;
    EXPECT_GE(SizeOf(xml, "<system type=\"current\""), 10 * MiB)
        << "the live 10 MiB block is in the mapped bytes:\n" << xml;
}

TEST_F(Introspection, MallocInfoWithNonzeroOptionsFailsWithEinval) {
    FILE* f = tmpfile();
    ASSERT_NE(f, nullptr);
    errno = 0;
    EXPECT_EQ(malloc_info(1, f), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(ReadAll(f), "") << "nothing is written";
    fclose(f);
}

#else
TEST(Introspection, NeedsTheOverride) { GTEST_SKIP() << "mallinfo and friends are glibc's without the override"; }
#endif

}  // namespace
