// The report's arithmetic: medians, ratios, ranks, medals, and how
// aggregate() turns runs into cells.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report.h"
#include "stats.h"

namespace hakbench {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(Summarize, MedianOfOddCountIsTheMiddleValue) {
  const Summary s = summarize({5, 1, 9, 3, 7});
  EXPECT_EQ(s.median, 5);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 9);
  EXPECT_EQ(s.count, 5);
}

TEST(Summarize, MedianOfEvenCountIsTheMeanOfTheMiddleTwo) { EXPECT_EQ(summarize({4, 1, 3, 2}).median, 2.5); }

TEST(Summarize, EmptyInputHasCountZero) { EXPECT_EQ(summarize({}).count, 0); }

TEST(Ratio, IsValueOverBaseline) { EXPECT_DOUBLE_EQ(ratio(3, 2), 1.5); }

TEST(Ratio, IsNaNWithoutAPositiveBaseline) {
  EXPECT_TRUE(std::isnan(ratio(1, 0)));
  EXPECT_TRUE(std::isnan(ratio(1, -1)));
  EXPECT_TRUE(std::isnan(ratio(kNaN, 1)));
  EXPECT_TRUE(std::isnan(ratio(1, kNaN)));
}

TEST(Rank, LowestValueRanksFirst) {
  EXPECT_EQ(rank_ascending({30, 10, 20}), (std::vector<int>{3, 1, 2}));
}

TEST(Rank, TiesShareARankAndSkipTheNext) {
  EXPECT_EQ(rank_ascending({1, 1, 2}), (std::vector<int>{1, 1, 3}));
}

TEST(Rank, NaNIsUnrankedAndDoesNotPushOthersDown) {
  EXPECT_EQ(rank_ascending({kNaN, 2, 1}), (std::vector<int>{0, 2, 1}));
}

TEST(Medals, CountsRanksOneToThreeAndSortsByGoldThenSilver) {
  const auto table = medal_table({"a", "b", "c"}, {{1, 2, 3}, {2, 1, 3}, {2, 3, 1}, {3, 2, 1}});
  ASSERT_EQ(table.size(), 3u);
  // a: 1 gold 2 silver 1 bronze; b: 1 gold 2 silver 1 bronze; c: 2 gold 0 silver 2 bronze.
  EXPECT_EQ(table[0].allocator, "c");
  EXPECT_EQ(table[0].gold, 2);
  EXPECT_EQ(table[1].allocator, "a");  // tie with b keeps the given order
  EXPECT_EQ(table[1].silver, 2);
  EXPECT_EQ(table[2].allocator, "b");
}

RunRecord run(const std::string& s, const std::string& a, double ns, bool ok = true) {
  RunRecord r;
  r.scenario = s;
  r.allocator = a;
  r.ok = ok;
  r.values[kNsPerOp] = ns;
  r.values[kUserS] = ns / 100;
  r.values[kSysS] = 0.01;
  r.values[kPeakRssKb] = 1000;
  r.values[kMinorFaults] = 10;
  r.result.peak_live_bytes = 2048;
  r.result.metrics = {{"frag_ratio", ns / 10}};
  return r;
}

Report sample() {
  Report rep;
  rep.scenarios = {"json", "vm"};
  rep.allocators = {"glibc", "mimalloc", "hakmem"};
  rep.meta.baseline = "mimalloc";
  for (double ns : {10.0, 12.0, 11.0}) rep.runs.push_back(run("json", "glibc", ns * 2));
  for (double ns : {10.0, 12.0, 11.0}) rep.runs.push_back(run("json", "mimalloc", ns));
  for (double ns : {10.0, 12.0, 11.0}) rep.runs.push_back(run("json", "hakmem", ns * 1.5));
  for (double ns : {100.0, 90.0}) rep.runs.push_back(run("vm", "glibc", ns));
  for (double ns : {50.0, 70.0}) rep.runs.push_back(run("vm", "mimalloc", ns));
  rep.runs.push_back(run("vm", "hakmem", 40));
  rep.runs.push_back(run("vm", "hakmem", 0, false));  // one failed round
  return rep;
}

TEST(Aggregate, CellsHoldMedianMinMaxOverRounds) {
  Report rep = sample();
  aggregate(rep);
  ASSERT_EQ(rep.cells.size(), 6u);
  const Cell& c = rep.cell(0, 0);
  EXPECT_EQ(c.scenario, "json");
  EXPECT_EQ(c.allocator, "glibc");
  EXPECT_DOUBLE_EQ(c.metric[kNsPerOp].median, 22);
  EXPECT_DOUBLE_EQ(c.metric[kNsPerOp].min, 20);
  EXPECT_DOUBLE_EQ(c.metric[kNsPerOp].max, 24);
  EXPECT_DOUBLE_EQ(c.peak_live_kb.median, 2);
  ASSERT_EQ(c.figures.size(), 1u);
  EXPECT_DOUBLE_EQ(c.figures[0].second.median, 2.2);
}

TEST(Aggregate, RatiosAreToTheBaselineMedian) {
  Report rep = sample();
  aggregate(rep);
  EXPECT_DOUBLE_EQ(rep.cell(0, 0).ratio[kNsPerOp], 2.0);
  EXPECT_DOUBLE_EQ(rep.cell(0, 1).ratio[kNsPerOp], 1.0);
  EXPECT_DOUBLE_EQ(rep.cell(0, 2).ratio[kNsPerOp], 1.5);
  EXPECT_DOUBLE_EQ(rep.cell(1, 0).ratio[kNsPerOp], 95.0 / 60.0);
  EXPECT_DOUBLE_EQ(rep.cell(0, 0).ratio[kPeakRssKb], 1.0);
}

TEST(Aggregate, AFailedRoundFailsTheCellAndLeavesItUnranked) {
  Report rep = sample();
  aggregate(rep);
  const Cell& c = rep.cell(1, 2);
  EXPECT_TRUE(c.failed);
  EXPECT_EQ(c.rank, 0);
  EXPECT_TRUE(std::isnan(c.ratio[kNsPerOp]));
  EXPECT_EQ(rep.cell(1, 1).rank, 1);
  EXPECT_EQ(rep.cell(1, 0).rank, 2);
}

TEST(Aggregate, RanksAndMedalsFollowMedianNsPerOp) {
  Report rep = sample();
  aggregate(rep);
  EXPECT_EQ(rep.cell(0, 1).rank, 1);
  EXPECT_EQ(rep.cell(0, 2).rank, 2);
  EXPECT_EQ(rep.cell(0, 0).rank, 3);
  ASSERT_FALSE(rep.medals.empty());
  EXPECT_EQ(rep.medals[0].allocator, "mimalloc");
  EXPECT_EQ(rep.medals[0].gold, 2);
}

TEST(Aggregate, WithoutMimallocTheFirstAllocatorIsTheBaseline) {
  Report rep = sample();
  rep.allocators = {"glibc", "hakmem"};
  rep.meta.baseline = "mimalloc";
  aggregate(rep);
  EXPECT_EQ(rep.meta.baseline, "glibc");
  EXPECT_DOUBLE_EQ(rep.cell(0, 1).ratio[kNsPerOp], 16.5 / 22.0);
}

}  // namespace
}  // namespace hakbench
