// The --learner mode: its options, which variants it runs, how it reads a
// learner's account from HAKMEM_STATS_JSON, and its scoring (best fixed
// strategy in hindsight, regret, the learner's CPU share).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "learn/config.h"
#include "learn/population.h"
#include "learner.h"
#include "options.h"
#include "policy/options.h"
#include "policy/strategy.h"
#include "policy/strategy_fields.h"

namespace hakbench {
namespace {

TEST(LearnerOptions, LearnerWithoutScenariosRunsThePhasesAndFourStationaryScenarios) {
  const ParseResult r = parse_options({"--learner"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.options.learner);
  EXPECT_EQ(r.options.scenarios, (std::vector<std::string>{"json", "vm", "mixed", "fragmentation", "phases-fast",
                                                           "phases-mid", "phases-slow"}));
  EXPECT_EQ(r.options.learn_epoch_ms, std::vector<int>{100});
}

TEST(LearnerOptions, PhaseScenariosAreRunnableByNameButNotInTheSuite) {
  const ParseResult r = parse_options({"--scenario", "phases-slow,vm"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.options.scenarios, (std::vector<std::string>{"vm", "phases-slow"}));
  EXPECT_EQ(parse_options({}).options.scenarios, suite_scenarios());
}

TEST(LearnerOptions, EpochListIsParsedAndBadValuesAreRejected) {
  EXPECT_EQ(parse_options({"--learn-epoch-ms", "100,50"}).options.learn_epoch_ms, (std::vector<int>{100, 50}));
  EXPECT_FALSE(parse_options({"--learn-epoch-ms", "5"}).ok());
  EXPECT_FALSE(parse_options({"--learn-epoch-ms", "x"}).ok());
  EXPECT_FALSE(parse_options({"--learn-epoch-ms"}).ok());
  EXPECT_FALSE(parse_options({"--learner=1"}).ok());
}

TEST(LearnerVariants, DefaultFirstThenTheLearnersFirstPopulationThenTheLearnersPerEpoch) {
  const auto v = learner_variants({100, 50});
  ASSERT_EQ(v.size(), 2 + learner_fixed_names().size() + 6);
  EXPECT_TRUE(v[0].c.is_default);
  EXPECT_TRUE(v[0].c.env.empty());
  EXPECT_TRUE(v[1].c.is_control);
  EXPECT_TRUE(v[1].c.env.empty());
  for (size_t i = 2; i < 2 + learner_fixed_names().size(); ++i) {
    EXPECT_TRUE(v[i].fixed());
    EXPECT_EQ(v[i].c.name, learner_fixed_names()[i - 2]);
    ASSERT_EQ(v[i].c.env.size(), 1u) << v[i].c.name << ": one knob one step from the default";
  }
  const size_t l = 2 + learner_fixed_names().size();
  EXPECT_EQ(v[l].c.name, "ucb1");
  EXPECT_EQ(v[l + 1].c.name, "elo");
  EXPECT_FALSE(v[l + 1].warm);
  // ELO again, starting from a playbook earlier runs trained: same settings,
  // the runner gives it the playbook.
  EXPECT_EQ(v[l + 2].c.name, "elo+pb");
  EXPECT_TRUE(v[l + 2].warm);
  EXPECT_EQ(v[l + 2].learn, "elo");
  EXPECT_EQ(v[l + 4].c.name, "elo@50ms");
  EXPECT_EQ(v[l + 4].epoch_ms, 50);
  EXPECT_EQ(v[l + 5].c.name, "elo+pb@50ms");
  EXPECT_EQ(describe_env(v[l + 1].c), "HAKMEM_LEARN=elo HAKMEM_LEARN_EPOCH_MS=100");
  EXPECT_EQ(describe_env(v[l + 2].c), describe_env(v[l + 1].c));
}

// The strategy a fixed variant runs: the default with its HAKMEM_* settings
// parsed by the library's own option parser.
hakmem::StrategyValues StrategyOfVariant(const Candidate& c) {
  hakmem::StrategyValues s = hakmem::strategy_defaults();
  for (const auto& [var, value] : c.env) {
    bool known = false;
#define HAKMEM_BENCH_SET(type, name, option, env, ...)                                       \
  if (var == env) {                                                                        \
    int64_t parsed = 0;                                                                    \
    EXPECT_TRUE(hakmem::option_parse(hakmem::Option::option, value.c_str(), &parsed)) << var; \
    s.name = static_cast<type>(parsed);                                                    \
    known = true;                                                                          \
  }
    HAKMEM_STRATEGY_FIELDS(HAKMEM_BENCH_SET)
#undef HAKMEM_BENCH_SET
    EXPECT_TRUE(known) << var << " is not a Strategy knob";
  }
  return s;
}

TEST(LearnerVariants, TheFixedStrategiesAreTheLearnersFirstPopulation) {
  // The regret is measured against these; if the learner starts from other
  // candidates, the comparison no longer says what it claims.
  const hakmem::learn::LearnerConfig config;
  hakmem::learn::Rng rng(config.seed);
  hakmem::learn::Population pop;
  pop.init(hakmem::strategy_defaults(), config.candidates, rng);
  std::vector<hakmem::StrategyValues> expected;
  for (unsigned i = 0; i < pop.size(); ++i)
    if (!pop.at(i).is_default) expected.push_back(pop.at(i).strategy);
  std::vector<hakmem::StrategyValues> fixed;
  for (const LearnerVariant& v : learner_variants({100}))
    if (v.fixed() && !v.c.is_default && !v.c.is_control) fixed.push_back(StrategyOfVariant(v.c));
  EXPECT_EQ(fixed.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NE(std::find(fixed.begin(), fixed.end(), expected[i]), fixed.end())
        << "candidate " << i + 1 << " of the learner's first population has no fixed variant";
  for (size_t i = 0; i < fixed.size(); ++i)
    EXPECT_NE(std::find(expected.begin(), expected.end(), fixed[i]), expected.end())
        << "fixed variant " << learner_fixed_names()[i] << " is not in the learner's first population";
}

TEST(LearnerVariants, EveryFixedSettingIsAStrategyKnobAndNoTwoAreAlike) {
  std::set<std::string> knobs, seen;
#define HAKMEM_BENCH_KNOB(type, name, option, env, ...) knobs.insert(env);
  HAKMEM_STRATEGY_FIELDS(HAKMEM_BENCH_KNOB)
#undef HAKMEM_BENCH_KNOB
  for (const LearnerVariant& v : learner_variants({100}))
    if (v.fixed() && !v.c.is_default && !v.c.is_control) {
      EXPECT_TRUE(knobs.count(v.c.env[0].first)) << v.c.env[0].first;
      EXPECT_TRUE(seen.insert(describe_env(v.c)).second) << describe_env(v.c);
    }
}

TEST(LearnerVariants, FixedListKeepsOnlyTheNamedStrategiesAndReportsAnUnknownName) {
  std::string unknown;
  const auto v = learner_variants({100}, {"purge=free", "delay=1s"}, &unknown);
  ASSERT_EQ(v.size(), 7u);  // default, control, two fixed, three learners
  EXPECT_TRUE(v[0].c.is_default);
  EXPECT_TRUE(v[1].c.is_control);
  EXPECT_EQ(v[2].c.name, "delay=1s");  // in the table's order
  EXPECT_EQ(v[3].c.name, "purge=free");
  EXPECT_TRUE(unknown.empty());
  learner_variants({100}, {"delay=2s"}, &unknown);
  EXPECT_EQ(unknown, "delay=2s");
  EXPECT_EQ(parse_options({"--fixed", "delay=1s,purge=free"}).options.learner_fixed,
            (std::vector<std::string>{"delay=1s", "purge=free"}));
}

TEST(LearnerRunSize, ShortStationaryScenariosRunOneSizeUpFromQuickTheRestAsAsked) {
  EXPECT_EQ(learner_run_size("phases-fast", RunSize::kQuick), RunSize::kQuick);
  EXPECT_EQ(learner_run_size("fragmentation", RunSize::kQuick), RunSize::kQuick);
  EXPECT_EQ(learner_run_size("json", RunSize::kQuick), RunSize::kFull);
  EXPECT_EQ(learner_run_size("mixed", RunSize::kQuick), RunSize::kFull);
  EXPECT_EQ(learner_run_size("json", RunSize::kTiny), RunSize::kTiny);
}

// The shape src/stats/learner_report.cpp writes.
const char* const kStats =
    "{\n  \"stats\": {\"allocs\": 5},\n"
    "  \"learner\": {\"mode\": \"elo\", \"frozen\": false, \"epochs\": 120, \"matches\": 7, \"switches\": 31, "
    "\"champion_changes\": 2, \"phase_changes\": 1, \"playbook_suggestions\": 2, \"playbook_crowns\": 1, "
    "\"cpu_ns\": 2500000, \"champion\": 3,\n"
    "    \"candidates\": [\n      {\"rating\": 1500.0, \"wins\": 1, \"losses\": 0, \"draws\": 2, \"default\": true, "
    "\"strategy\": {\"purge_delay_ms\": 250, \"segment_cache_max\": 8}}],\n"
    "    \"history\": [\n"
    "      {\"t_ms\": 1000, \"candidate\": 0, \"champion\": 0, \"match\": 0, \"change\": 0, \"active\": 1, "
    "\"cpu_ns_per_alloc\": 80.500, \"faults_per_alloc\": 0.010000, \"overhead_bytes\": 4096},\n"
    "      {\"t_ms\": 1100, \"candidate\": 3, \"champion\": 0, \"match\": 1, \"change\": 1, \"active\": 0, "
    "\"cpu_ns_per_alloc\": 0.000, \"faults_per_alloc\": 0.000000, \"overhead_bytes\": 8192}]},\n"
    "  \"sites\": []\n}\n";

TEST(LearnerTrace, ReadsTheCountsTheLearnersCpuAndEveryEpoch) {
  const LearnerTrace t = parse_learner_trace(kStats);
  ASSERT_TRUE(t.found);
  EXPECT_EQ(t.mode, "elo");
  EXPECT_EQ(t.cpu_ns, 2500000);
  EXPECT_EQ(t.epochs, 120);
  EXPECT_EQ(t.matches, 7);
  EXPECT_EQ(t.switches, 31);
  EXPECT_EQ(t.playbook_suggestions, 2);
  EXPECT_EQ(t.playbook_crowns, 1);
  ASSERT_EQ(t.history.size(), 2u);
  EXPECT_EQ(t.history[0].t_ms, 1000);
  EXPECT_EQ(t.history[0].cpu_ns_per_alloc, 80.5);
  EXPECT_EQ(t.history[0].faults_per_alloc, 0.01);
  EXPECT_FALSE(t.history[0].in_match);
  EXPECT_EQ(t.history[1].candidate, 3);
  EXPECT_TRUE(t.history[1].in_match);
  EXPECT_TRUE(t.history[1].change);
  EXPECT_EQ(t.history[1].overhead_bytes, 8192);
}

TEST(LearnerTrace, AFileWithoutALearnerOrCutShortHasNoTrace) {
  EXPECT_FALSE(parse_learner_trace("{\"stats\": {}}").found);
  const std::string text = kStats;
  EXPECT_FALSE(parse_learner_trace(text.substr(0, text.find("\"history\"") + 20)).found);
  EXPECT_FALSE(read_learner_trace("/nonexistent/hakmem-stats.json").found);
}

// A report with the default, two fixed strategies and ELO on one scenario,
// one round D a b D elo D: cpu_s per variant given, other parts equal.
LearnerReport report_with(double fixed_a, double fixed_b, double elo, double learner_cpu_ns) {
  LearnerReport r;
  r.scenarios = {"s"};
  r.variants.resize(4);
  r.variants[0].c.name = "default";
  r.variants[1].c.name = "a";
  r.variants[2].c.name = "b";
  r.variants[3].c.name = "elo";
  r.variants[3].learn = "elo";
  r.variants[3].epoch_ms = 100;
  const std::vector<std::pair<size_t, double>> order = {{0, 1}, {1, fixed_a}, {2, fixed_b}, {0, 1}, {3, elo}, {0, 1}};
  for (size_t pos = 0; pos < order.size(); ++pos) {
    LearnerRun lr;
    lr.run.scenario = "s";
    lr.run.candidate = order[pos].first;
    lr.run.round = 1;
    lr.run.position = pos;
    lr.run.m = Measure{true, order[pos].second, 100, 1000, 1000};
    if (order[pos].first == 3) {
      lr.trace.found = true;
      lr.trace.cpu_ns = learner_cpu_ns;
      lr.trace.switches = 4;
    }
    r.runs.push_back(lr);
  }
  score_learner(r);
  return r;
}

TEST(LearnerScore, RegretIsAgainstTheBestFixedStrategyInHindsight) {
  const LearnerReport r = report_with(0.9, 1.1, 0.95, 1e6);
  ASSERT_EQ(r.results.size(), 1u);
  const ScenarioLearner& s = r.results[0];
  EXPECT_EQ(s.best_fixed, 1u);
  // composite = 0.4 cpu + 0.6 (faults and memory equal): a = 0.96, elo = 0.98.
  EXPECT_NEAR(s.best_fixed_composite, 0.96, 1e-9);
  ASSERT_EQ(s.learners.size(), 1u);
  EXPECT_NEAR(s.learners[0].regret, 0.98 / 0.96 - 1, 1e-9);
  EXPECT_NEAR(s.learners[0].vs_default, -0.02, 1e-9);
  // 1 ms of learner CPU in a 0.95 s process.
  EXPECT_NEAR(s.learners[0].cpu_share.median, 1e-3 / 0.95, 1e-12);
  EXPECT_EQ(s.learners[0].switches.median, 4);
}

TEST(LearnerScore, TheDefaultIsTheBestWhenEveryFixedStrategyIsWorse) {
  const LearnerReport r = report_with(1.2, 1.1, 0.9, 0);
  const ScenarioLearner& s = r.results[0];
  EXPECT_EQ(s.best_fixed, 0u);
  EXPECT_EQ(s.best_fixed_composite, 1);
  EXPECT_NEAR(s.learners[0].regret, 0.96 - 1, 1e-9) << "negative: the learner beat every fixed strategy";
}

TEST(LearnerScore, TheControlIsNeverTheBestAndItsDistanceFromOneIsTheNoise) {
  LearnerReport r = report_with(1.2, 1.1, 0.95, 0);
  r.variants[2].c.is_control = true;  // "b" becomes the control: 1.1 cpu -> composite 1.04
  score_learner(r);
  EXPECT_EQ(r.results[0].best_fixed, 0u);
  EXPECT_NEAR(r.results[0].noise, 0.04, 1e-9);
}

TEST(LearnerScore, AFailedLearnerRunHasNoRegret) {
  LearnerReport r = report_with(0.9, 1.1, 0.95, 0);
  r.runs[4].run.m.ok = false;
  score_learner(r);
  EXPECT_TRUE(std::isnan(r.results[0].learners[0].regret));
  EXPECT_EQ(r.results[0].learners[0].cpu_share.count, 0);
}

TEST(LearnerScore, TheFirstChangeOfChampionIsTimedFromTheFirstEpochAndCountedOnlyWhereItHappened) {
  LearnerReport r = report_with(0.9, 1.1, 0.95, 0);
  LearnerRun& elo = r.runs[4];
  auto epoch = [](double t_ms, int champion) {
    LearnerEpoch e;
    e.t_ms = t_ms;
    e.champion = champion;
    return e;
  };
  elo.trace.history = {epoch(1000, 0), epoch(1100, 0), epoch(3600, 5), epoch(3700, 0)};
  LearnerRun second = elo;  // a second round where the title never moved
  second.run.round = 2;
  second.trace.history = {epoch(1000, 0), epoch(1100, 0)};
  r.runs.push_back(second);
  score_learner(r);
  const LearnerScore& l = r.results[0].learners[0];
  EXPECT_EQ(l.runs, 2u);
  EXPECT_EQ(l.title_runs, 1u);
  ASSERT_EQ(l.first_title_s.count, 1);
  EXPECT_NEAR(l.first_title_s.median, 2.6, 1e-9);
}

}  // namespace
}  // namespace hakbench
