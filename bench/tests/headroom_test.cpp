// The headroom mode's design and arithmetic: the grid, the order of runs
// in a round, the pairing with default runs, the composite score and the
// choice of the best strategy against the noise floor.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "headroom_plan.h"
#include "headroom_score.h"
#include "options.h"
#include "policy/strategy_fields.h"
#include "strategy_grid.h"

namespace hakbench {
namespace {

TEST(StrategyGrid, StartsWithTheDefaultThenTheControlBothWithoutSettings) {
  const auto& g = strategy_grid();
  ASSERT_GE(g.size(), 17u);  // the default, the control and 15-25 candidates
  ASSERT_LE(g.size(), 27u);
  EXPECT_TRUE(g[0].is_default);
  EXPECT_TRUE(g[0].env.empty());
  EXPECT_TRUE(g[1].is_control);
  EXPECT_TRUE(g[1].env.empty());
  for (size_t i = 2; i < g.size(); ++i) {
    EXPECT_FALSE(g[i].is_default || g[i].is_control) << g[i].name;
    EXPECT_FALSE(g[i].env.empty()) << g[i].name << " would be the default under another name";
    EXPECT_FALSE(g[i].why.empty()) << g[i].name;
  }
}

TEST(StrategyGrid, NamesAndSettingsAreUnique) {
  std::set<std::string> names, settings;
  for (const Candidate& c : strategy_grid()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    if (!c.env.empty()) EXPECT_TRUE(settings.insert(describe_env(c)).second) << describe_env(c);
  }
}

TEST(StrategyGrid, EveryVariableIsAStrategyKnobOfTheLibrary) {
  std::set<std::string> knobs;
#define HAKMEM_BENCH_KNOB(type, name, option, env, ...) knobs.insert(env);
  HAKMEM_STRATEGY_FIELDS(HAKMEM_BENCH_KNOB)
#undef HAKMEM_BENCH_KNOB
  std::set<std::string> moved;
  for (const Candidate& c : strategy_grid())
    for (const auto& [name, value] : c.env) {
      EXPECT_TRUE(knobs.count(name)) << name << " is not in src/policy/strategy_fields.h";
      EXPECT_FALSE(value.empty()) << name;
      moved.insert(name);
    }
  // Every knob the issue names is moved somewhere (the purge thread is not a tuning knob).
  for (const char* k : {"HAKMEM_PURGE_DELAY_MS", "HAKMEM_LARGE_CACHE", "HAKMEM_MMAP_THRESHOLD", "HAKMEM_SEGMENT_CACHE",
                        "HAKMEM_HUGE_PAGES", "HAKMEM_PURGE_MODE", "HAKMEM_PURGE_BATCH"})
    EXPECT_TRUE(moved.count(k)) << k;
}

TEST(HeadroomPlan, EveryCandidateRunsOnceARoundBetweenTwoDefaultRuns) {
  for (int round = 1; round <= 5; ++round) {
    const std::vector<size_t> order = round_order(23, round, 5);
    std::vector<size_t> seen;
    for (size_t i = 0; i < order.size(); ++i) {
      if (order[i] == 0) continue;
      seen.push_back(order[i]);
      const Neighbours n = default_neighbours(order, i);
      EXPECT_LT(n.before, i);
      EXPECT_GT(n.after, i);
      EXPECT_EQ(order[n.before], 0u);
      EXPECT_EQ(order[n.after], 0u);
      EXPECT_LE(n.after - n.before, 3u) << "at most two candidates between defaults";
    }
    std::sort(seen.begin(), seen.end());
    for (size_t c = 1; c < 23; ++c) EXPECT_EQ(seen[c - 1], c);
    EXPECT_EQ(order.front(), 0u);
    EXPECT_EQ(order.back(), 0u);
    EXPECT_EQ(order.size(), 22u + 12u);
  }
}

TEST(HeadroomPlan, RoundsRotateTheCandidatesPositions) {
  EXPECT_NE(round_order(23, 1, 5), round_order(23, 2, 5));
  EXPECT_EQ(round_order(23, 1, 5)[1], 1u);
  EXPECT_NE(round_order(23, 3, 5)[1], 1u);
}

TEST(HeadroomPlan, AnOddCountStillEndsWithADefault) {
  const std::vector<size_t> order = round_order(4, 1, 1);  // 3 candidates
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 0, 3, 0}));
}

TEST(HeadroomScore, CompositeWeighsCpuFaultsAndMemoryAsTheSeedDesign) {
  EXPECT_DOUBLE_EQ(composite_ratio(1, 1, 1), 1.0);
  EXPECT_DOUBLE_EQ(composite_ratio(0.5, 1, 1), 0.8);
  EXPECT_DOUBLE_EQ(composite_ratio(1, 0, 1), 0.7);
  EXPECT_DOUBLE_EQ(composite_ratio(1, 1, 2), 1.3);
}

Measure measure(double cpu, double faults, double mean_rss, double peak_rss) {
  Measure m;
  m.ok = true;
  m.cpu_s = cpu;
  m.faults = faults;
  m.mean_rss_kb = mean_rss;
  m.peak_rss_kb = peak_rss;
  return m;
}

TEST(HeadroomScore, RatiosAreToTheMeanOfTheTwoNeighbouringDefaultRuns) {
  const PairedRatios r = paired_ratios(measure(1.0, 50, 300, 400), measure(0.8, 100, 200, 400),
                                       measure(1.2, 100, 400, 400));
  EXPECT_DOUBLE_EQ(r.part[kCpu], 1.0);
  EXPECT_DOUBLE_EQ(r.part[kFaults], 0.5);
  EXPECT_DOUBLE_EQ(r.part[kMeanRss], 1.0);
  EXPECT_DOUBLE_EQ(r.composite, 0.4 + 0.15 + 0.3);
}

TEST(HeadroomScore, WithoutRssSamplesMemoryFallsBackToPeakRss) {
  const PairedRatios r = paired_ratios(measure(1, 1, 0, 600), measure(1, 1, 100, 300), measure(1, 1, 100, 300));
  EXPECT_DOUBLE_EQ(r.part[kMeanRss], 2.0);
}

TEST(HeadroomScore, AFailedRunOrFailedNeighbourGivesNoRatio) {
  Measure bad = measure(1, 1, 1, 1);
  bad.ok = false;
  EXPECT_TRUE(std::isnan(paired_ratios(bad, measure(1, 1, 1, 1), measure(1, 1, 1, 1)).composite));
  EXPECT_TRUE(std::isnan(paired_ratios(measure(1, 1, 1, 1), bad, measure(1, 1, 1, 1)).composite));
}

// Runs of one scenario for a grid of default, control and two candidates,
// in the order round_order gives, with the measure each candidate gets.
std::vector<HeadroomRun> simulate(int rounds, const std::vector<std::vector<Measure>>& by_round) {
  std::vector<HeadroomRun> runs;
  for (int round = 1; round <= rounds; ++round) {
    const std::vector<size_t> order = round_order(4, round, rounds);
    for (size_t pos = 0; pos < order.size(); ++pos) {
      HeadroomRun r;
      r.scenario = "s";
      r.candidate = order[pos];
      r.round = round;
      r.position = pos;
      r.m = by_round[static_cast<size_t>(round - 1)][order[pos]];
      runs.push_back(r);
    }
  }
  return runs;
}

TEST(HeadroomScore, BestIsTheLowestMedianCompositeAndTheControlSetsTheNoiseFloor) {
  const Measure d = measure(1, 100, 1000, 1000);
  // Candidate 2 halves the faults (composite 0.85); candidate 3 costs 10% more CPU.
  const Measure c2 = measure(1, 50, 1000, 1000), c3 = measure(1.1, 100, 1000, 1000);
  const std::vector<std::vector<Measure>> rounds = {{d, measure(1.02, 100, 1000, 1000), c2, c3},
                                                    {d, measure(0.97, 100, 1000, 1000), c2, c3},
                                                    {d, d, c2, c3}};
  const ScenarioHeadroom h = score_scenario("s", simulate(3, rounds), {false, true, false, false});
  EXPECT_EQ(h.control, 1u);
  EXPECT_EQ(h.best, 2u);
  EXPECT_NEAR(h.scores[2].composite.median, 0.85, 1e-12);
  EXPECT_EQ(h.scores[2].wins, 3);
  EXPECT_EQ(h.scores[2].rounds, 3);
  EXPECT_NEAR(h.noise, 0.4 * 0.03, 1e-12);
  EXPECT_TRUE(h.beyond_noise());
  EXPECT_NEAR(h.scores[3].part[kCpu].median, 1.1, 1e-12);
  EXPECT_DOUBLE_EQ(h.default_value[kFaults].median, 100);
}

TEST(HeadroomScore, TheControlIsNeverTheBestAndAGainWithinTheNoiseDoesNotCount) {
  const Measure d = measure(1, 100, 1000, 1000);
  const std::vector<std::vector<Measure>> rounds = {
      {d, measure(0.8, 100, 1000, 1000), measure(0.95, 100, 1000, 1000), d}};
  const ScenarioHeadroom h = score_scenario("s", simulate(1, rounds), {false, true, false, false});
  EXPECT_EQ(h.best, 2u);  // 0.98, not the control's 0.92
  EXPECT_FALSE(h.beyond_noise());
}

TEST(HeadroomScore, AFailedCandidateIsNotChosen) {
  const Measure d = measure(1, 100, 1000, 1000);
  Measure broken = measure(0.1, 1, 1, 1);
  broken.ok = false;
  const std::vector<std::vector<Measure>> rounds = {{d, d, broken, measure(1.05, 100, 1000, 1000)}};
  const ScenarioHeadroom h = score_scenario("s", simulate(1, rounds), {false, true, false, false});
  EXPECT_TRUE(h.scores[2].failed);
  EXPECT_EQ(h.best, 3u);
}

TEST(HeadroomScore, ConfirmationRoundsScoreTheBestApartAndDecideWhetherItBeatsTheNoise) {
  const Measure d = measure(1, 100, 1000, 1000);
  // In the main round candidate 2 looks 15% better; confirmed, it is 1% better.
  const std::vector<std::vector<Measure>> rounds = {{d, measure(1.01, 100, 1000, 1000), measure(1, 50, 1000, 1000), d}};
  std::vector<HeadroomRun> runs = simulate(1, rounds);
  for (int round = 1; round <= 2; ++round) {
    const Measure seq[3] = {d, measure(0.975, 100, 1000, 1000), d};
    for (size_t pos = 0; pos < 3; ++pos) {
      HeadroomRun r;
      r.scenario = "s";
      r.candidate = pos == 1 ? 2 : 0;
      r.round = round;
      r.position = pos;
      r.confirm = true;
      r.m = seq[pos];
      runs.push_back(r);
    }
  }
  const ScenarioHeadroom h = score_scenario("s", runs, {false, true, false, false});
  EXPECT_EQ(h.best, 2u);
  EXPECT_NEAR(h.scores[2].composite.median, 0.85, 1e-12);  // the main rounds alone
  EXPECT_EQ(h.scores[2].rounds, 1);
  EXPECT_EQ(h.confirmed_candidate, 2u);
  EXPECT_EQ(h.confirmed.rounds, 2);
  EXPECT_NEAR(h.confirmed.composite.median, 0.99, 1e-12);
  EXPECT_NEAR(h.noise, 0.004, 1e-12);
  EXPECT_TRUE(h.beyond_noise());  // 1% > 0.4%
  EXPECT_EQ(h.default_value[kCpu].count, 3);  // the main round's 3; confirmation defaults not counted
}

TEST(Options, HeadroomIsAFlag) {
  EXPECT_TRUE(parse_options({"--headroom", "--quick"}).options.headroom);
  EXPECT_FALSE(parse_options({}).options.headroom);
  EXPECT_FALSE(parse_options({"--headroom=1"}).ok());
}

}  // namespace
}  // namespace hakbench
