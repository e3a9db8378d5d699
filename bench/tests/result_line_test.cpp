// Reading the scenario's result line, and judging a finished run: every
// way a run can go wrong must turn into a failure with a reason.
#include <gtest/gtest.h>

#include "allocators.h"
#include "result_line.h"
#include "runner.h"

namespace hakbench {
namespace {

const char* kLine =
    "{\"scenario\":\"json\",\"seed\":42,\"size\":\"tiny\",\"iterations\":0,\"threads\":8,\"ops\":1000,"
    "\"elapsed_ns\":50000,\"verified\":true,\"failures\":0,\"checksum\":\"0x00000000deadbeef\","
    "\"peak_live_bytes\":4096,\"rss_start_kb\":3000,\"rss_hwm_kb\":4000,"
    "\"malloc_lib\":\"/lib/x86_64-linux-gnu/libc.so.6\",\"metrics\":{\"frag_ratio\":1.5,\"x\":-2e3}}";

TEST(ResultLine, ParsesEveryField) {
  std::string err;
  const auto r = parse_result_line(std::string("noise\n") + kLine + "\n", &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->scenario, "json");
  EXPECT_EQ(r->size, "tiny");
  EXPECT_EQ(r->seed, 42u);
  EXPECT_EQ(r->ops, 1000u);
  EXPECT_EQ(r->elapsed_ns, 50000u);
  EXPECT_TRUE(r->verified);
  EXPECT_EQ(r->checksum, "0x00000000deadbeef");
  EXPECT_EQ(r->peak_live_bytes, 4096u);
  EXPECT_EQ(r->malloc_lib, "/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_EQ(r->metrics.size(), 2u);
  EXPECT_EQ(r->metrics[0].first, "frag_ratio");
  EXPECT_DOUBLE_EQ(r->metrics[0].second, 1.5);
  EXPECT_DOUBLE_EQ(r->metrics[1].second, -2000);
}

TEST(ResultLine, MissingLineIsAnError) {
  std::string err;
  EXPECT_FALSE(parse_result_line("hello\n", &err));
  EXPECT_NE(err.find("no result line"), std::string::npos);
}

TEST(ResultLine, TruncatedLineIsAnError) {
  std::string err;
  EXPECT_FALSE(parse_result_line(std::string(kLine).substr(0, 80), &err));
  EXPECT_FALSE(err.empty());
}

TEST(ResultLine, MissingFieldIsNamed) {
  std::string err;
  EXPECT_FALSE(parse_result_line("{\"scenario\":\"json\"}", &err));
  EXPECT_NE(err.find("size"), std::string::npos);
}

TEST(MallocLib, GlibcMatchesLibcOnly) {
  EXPECT_TRUE(malloc_lib_matches("", "/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_FALSE(malloc_lib_matches("", "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"));
  EXPECT_FALSE(malloc_lib_matches("", "unknown"));
}

TEST(MallocLib, PreloadMatchesByPathOrFileName) {
  EXPECT_TRUE(malloc_lib_matches("/opt/x/libhakmem.so", "/opt/x/libhakmem.so"));
  EXPECT_TRUE(malloc_lib_matches("/nonexistent/a/libfoo.so.1", "/nonexistent/b/libfoo.so.1"));
  EXPECT_FALSE(malloc_lib_matches("/opt/x/libhakmem.so", "/lib/x86_64-linux-gnu/libc.so.6"));
}

ChildResult finished(const std::string& out, int code = 0) {
  ChildResult c;
  c.started = true;
  c.exit_code = code;
  c.out = out;
  c.usage.ru_utime.tv_sec = 1;
  c.usage.ru_maxrss = 5000;
  c.usage.ru_minflt = 77;
  return c;
}

const Target kGlibc{"glibc", ""};

TEST(Judge, AGoodRunCountsWithItsFigures) {
  const RunRecord r = judge_run("json", kGlibc, 1, finished(kLine), "");
  ASSERT_TRUE(r.ok) << r.failure;
  EXPECT_DOUBLE_EQ(r.values[kNsPerOp], 50.0);
  EXPECT_DOUBLE_EQ(r.values[kUserS], 1.0);
  EXPECT_DOUBLE_EQ(r.values[kPeakRssKb], 5000);
  EXPECT_DOUBLE_EQ(r.values[kMinorFaults], 77);
}

TEST(Judge, VerificationFailureFailsTheRun) {
  std::string bad = kLine;
  bad.replace(bad.find("\"verified\":true"), 15, "\"verified\":false");
  const RunRecord r = judge_run("json", kGlibc, 1, finished(bad, 3), "");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.failure.find("verification FAILED"), std::string::npos);
}

TEST(Judge, CrashFailsTheRunNamingTheSignal) {
  ChildResult c = finished("");
  c.exit_code = -1;
  c.signal = 11;
  const RunRecord r = judge_run("json", kGlibc, 1, c, "");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.failure.find("signal 11"), std::string::npos);
}

TEST(Judge, TimeoutFailsTheRun) {
  ChildResult c = finished("");
  c.timed_out = true;
  EXPECT_FALSE(judge_run("json", kGlibc, 1, c, "").ok);
}

TEST(Judge, WrongAllocatorFailsTheRun) {
  const RunRecord r = judge_run("json", Target{"mimalloc", "/usr/lib/libmimalloc.so.2"}, 1, finished(kLine), "");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.failure.find("LD_PRELOAD did not take effect"), std::string::npos);
}

TEST(Judge, ChecksumDifferentFromEarlierRunsFailsTheRun) {
  const RunRecord r = judge_run("json", kGlibc, 2, finished(kLine), "0x0000000000000001");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.failure.find("checksum"), std::string::npos);
}

TEST(Judge, NonZeroExitFailsTheRun) { EXPECT_FALSE(judge_run("json", kGlibc, 1, finished(kLine, 4), "").ok); }

}  // namespace
}  // namespace hakbench
