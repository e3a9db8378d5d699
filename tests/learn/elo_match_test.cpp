// The learner's arithmetic: ELO ratings, the paired cost comparison, the
// burn-in a switch needs, the A B B A match schedule with its burn-ins, the
// significance of a result and the extension of close matches, and the
// change detector.
#include <gtest/gtest.h>

#include "learn/config.h"
#include "learn/cost.h"
#include "learn/elo.h"
#include "learn/match.h"
#include "learn/page_hinkley.h"
#include "learn/rng.h"

namespace hakmem::learn {
namespace {

TEST(Elo, EqualRatingsExpectAnEvenScoreAndAWinMovesHalfOfK) {
    EXPECT_DOUBLE_EQ(elo_expected(1500, 1500), 0.5);
    double a = 1500, b = 1500;
    elo_update(&a, &b, MatchResult::kWin);
    EXPECT_DOUBLE_EQ(a, 1500 + kEloK / 2);
    EXPECT_DOUBLE_EQ(b, 1500 - kEloK / 2);
}

TEST(Elo, UpdatesKeepTheSumAndADrawPullsRatingsTogether) {
    double a = 1700, b = 1400;
    elo_update(&a, &b, MatchResult::kDraw);
    EXPECT_DOUBLE_EQ(a + b, 3100);
    EXPECT_LT(a, 1700);
    EXPECT_GT(b, 1400);
    double before = a;
    elo_update(&a, &b, MatchResult::kLoss);
    EXPECT_LT(a, before);
    EXPECT_NEAR(elo_expected(1900, 1500), 10.0 / 11.0, 1e-12) << "400 points: 10 to 1";
}

TEST(Cost, RelativeDifferencesAreScaleFree) {
    EXPECT_DOUBLE_EQ(relative_difference(100, 110), relative_difference(1e6, 1.1e6));
    EXPECT_DOUBLE_EQ(relative_difference(0, 0), 0);
    EXPECT_NEAR(relative_difference(100, 90), -10.0 / 95.0, 1e-12);
}

TEST(Cost, AnIdleSideIsComparedOnMemoryAlone) {
    EpochCost a{100, 1, 1000, true}, b{50, 0.5, 1000, false};
    EXPECT_DOUBLE_EQ(paired_difference(a, b, CostWeights{}), 0) << "cpu and faults of an idle epoch do not count";
    b.active = true;
    EXPECT_LT(paired_difference(a, b, CostWeights{}), 0);
    EXPECT_NEAR(paired_difference(a, b, CostWeights{}), 0.7 * (-50.0 / 75.0), 1e-12);
}

TEST(Cost, TheSumAveragesCpuOverActiveEpochsOnly) {
    CostSum sum;
    sum.add(EpochCost{100, 2, 10, true});
    sum.add(EpochCost{0, 0, 30, false});
    sum.add(EpochCost{300, 4, 20, true});
    EpochCost m = sum.mean();
    EXPECT_TRUE(m.active);
    EXPECT_DOUBLE_EQ(m.cpu, 200);
    EXPECT_DOUBLE_EQ(m.faults, 3);
    EXPECT_DOUBLE_EQ(m.memory, 20);
}

// Runs a match to its end with cost(side, epoch index) and returns the sequence of sides and scored flags.
template <typename F>
std::string Play(Match& m, F cost) {
    std::string trace;
    for (int i = 0; i < 1000; ++i) {
        Match::Side side = m.side();
        trace += side == Match::kChampion ? (m.scored() ? 'A' : 'a') : (m.scored() ? 'B' : 'b');
        if (m.finish_epoch(cost(side, i))) return trace;
    }
    return trace + "...";
}

StrategyValues WithPurge(uint64_t delay_ms, uint32_t mode = 0) {
    StrategyValues s = strategy_defaults();
    s.purge_delay_ms = delay_ms;
    s.purge_mode = mode;
    return s;
}

TEST(BurnIn, ASwitchThatKeepsThePurgeRuleDiscardsOnlyTheSwitchEpoch) {
    StrategyValues a = WithPurge(250), b = WithPurge(250);
    b.huge_pages = 1;
    b.large_cache_max = 1024u << 20;
    b.purge_batch_bytes = 1u << 20;
    EXPECT_EQ(burn_in_epochs(a, b, 100), 1u);
    EXPECT_EQ(burn_in_epochs(b, a, 100), 1u);
    EXPECT_EQ(burn_in_epochs(WithPurge(4000), WithPurge(4000), 100), 1u) << "however long the delay";
}

TEST(BurnIn, ALongerDelayWaitsForTheDifferenceAShorterOneForItself) {
    // 250 -> 1000 ms: what was freed 250-1000 ms before the switch is
    // already purged; 1000 -> 250 ms: what is due goes within 250 ms.
    EXPECT_EQ(burn_in_epochs(WithPurge(250), WithPurge(1000), 100), 8u + 1);
    EXPECT_EQ(burn_in_epochs(WithPurge(1000), WithPurge(250), 100), 3u + 1);
    EXPECT_EQ(burn_in_epochs(WithPurge(250), WithPurge(10), 100), 1u + 1);
    EXPECT_EQ(burn_in_epochs(WithPurge(250), WithPurge(1000), 50), 15u + 1) << "counted in epochs of the epoch length";
    EXPECT_EQ(burn_in_epochs(WithPurge(250), WithPurge(4000), 100), 20u) << "capped";
}

TEST(BurnIn, AnotherPurgeModeWaitsForTheLongerDelay) {
    EXPECT_EQ(burn_in_epochs(WithPurge(250, 0), WithPurge(250, 1), 100), 3u + 1);
    EXPECT_EQ(burn_in_epochs(WithPurge(1000, 1), WithPurge(250, 0), 100), 10u + 1);
}

TEST(Match, RunsABBAWithABurnInAfterEachSwitch) {
    Match m;
    m.start(MatchPlan{/*burn_in_challenger=*/2, /*burn_in_champion=*/2, /*scored=*/2}, CostWeights{});
    std::string trace = Play(m, [](Match::Side, int) { return EpochCost{1, 1, 1, true}; });
    EXPECT_EQ(trace, "AAbbBBBBaaAA");
    EXPECT_EQ(trace.size(), m.plan().length());
    EXPECT_EQ(m.plan().challenger_epochs(), 6u);
    EXPECT_FALSE(m.running());
}

TEST(Match, EachSwitchHasItsOwnBurnIn) {
    Match m;
    m.start(MatchPlan{3, 1, 2}, CostWeights{});
    std::string trace = Play(m, [](Match::Side, int) { return EpochCost{1, 1, 1, true}; });
    EXPECT_EQ(trace, "AAbbbBBBBaAA");
    EXPECT_EQ(trace.size(), m.plan().length());
    EXPECT_EQ(m.plan().challenger_epochs(), 7u) << "the burn-in back on the champion is not exploration";
}

TEST(Match, ACheaperChallengerWinsADearerOneLosesAndNoiseWithinTheMarginDraws) {
    for (double factor : {0.8, 1.01, 1.2}) {
        Match m;
        m.start(MatchPlan{1, 1, 3}, CostWeights{});
        Play(m, [&](Match::Side s, int) {
            double k = s == Match::kChallenger ? factor : 1.0;
            return EpochCost{100 * k, 1 * k, 1000 * k, true};
        });
        MatchOutcome o = m.outcome(0.03, 2.0);
        MatchResult r = o.result;
        double d = o.difference;
        EXPECT_FALSE(o.close) << "no noise: every result is clear";
        if (factor < 1) EXPECT_EQ(r, MatchResult::kWin) << d;
        else if (factor > 1.1) EXPECT_EQ(r, MatchResult::kLoss) << d;
        else EXPECT_EQ(r, MatchResult::kDraw) << d;
    }
}

TEST(Match, BurnInEpochsAreNotScored) {
    // The burn-in epochs after each switch are very dear; the scored ones
    // equal: a draw, as if the burn-in had not happened.
    Match m;
    m.start(MatchPlan{2, 2, 1}, CostWeights{});
    while (m.running()) {
        double k = m.scored() ? 1.0 : 50.0;
        m.finish_epoch(EpochCost{100 * k, 1 * k, 1000 * k, true});
    }
    EXPECT_EQ(m.outcome(0.03, 2.0).result, MatchResult::kDraw);
}

TEST(Match, ALinearDriftOfTheWorkloadCancels) {
    // Costs grow 5% per epoch for both sides alike: A B B A puts the same
    // mean epoch index on both sides, so the drift alone is a draw.
    Match m;
    m.start(MatchPlan{0, 0, 2}, CostWeights{});
    Play(m, [](Match::Side, int i) {
        double k = 1.0 + 0.05 * i;
        return EpochCost{100 * k, 1 * k, 1000 * k, true};
    });
    MatchOutcome o = m.outcome(0.03, 2.0);
    EXPECT_EQ(o.result, MatchResult::kDraw);
    EXPECT_NEAR(o.difference, 0, 1e-12);
}

// One cycle of one scored epoch per block and no burn-in: the blocks A1 B1
// B2 A2 cost k[0..3] times a base cost.
void PlayCycle(Match& m, const double (&k)[4]) {
    Play(m, [&](Match::Side, int i) { return EpochCost{100 * k[i], 1 * k[i], 1000 * k[i], true}; });
}

TEST(Match, AResultBeyondTheMarginButNotBeyondTheNoiseIsCloseAndNoWin) {
    // B is 5% cheaper on average, but its two blocks are 30% apart: the
    // margin alone would call it a win.
    Match m;
    m.start(MatchPlan{0, 0, 1}, CostWeights{});
    PlayCycle(m, {1.0, 0.80, 1.10, 1.0});
    EXPECT_EQ(m.cycles(), 1u);
    MatchOutcome o = m.outcome(0.03, 2.0);
    EXPECT_LT(o.difference, -0.03);
    EXPECT_GT(o.noise, 0.1);
    EXPECT_TRUE(o.close);
    EXPECT_EQ(o.result, MatchResult::kDraw);
    // Without the noise test (factor 0) it was a win.
    EXPECT_EQ(m.outcome(0.03, 0.0).result, MatchResult::kWin);
}

TEST(Match, AClearGainWinsInOneCycleAndAClearLossLoses) {
    for (double k : {0.8, 1.25}) {
        Match m;
        m.start(MatchPlan{0, 0, 1}, CostWeights{});
        PlayCycle(m, {1.0, k * 0.99, k * 1.01, 1.01});
        MatchOutcome o = m.outcome(0.03, 2.0);
        EXPECT_FALSE(o.close) << k;
        EXPECT_EQ(o.result, k < 1 ? MatchResult::kWin : MatchResult::kLoss) << k;
    }
}

TEST(Match, ExtendedCyclesArePooledAndTheirNoiseShrinksUntilARealGainIsClear) {
    // A 6% gain measured noisily in the first cycle, cleanly after: each
    // cycle adds evidence, and within three cycles the gain is clear.
    Match m;
    m.start(MatchPlan{0, 0, 1}, CostWeights{});
    PlayCycle(m, {1.0, 0.85, 1.03, 1.0});
    MatchOutcome first = m.outcome(0.03, 2.0);
    ASSERT_TRUE(first.close);
    double noise = first.noise;
    while (m.cycles() < 3 && m.outcome(0.03, 2.0).close) {
        m.extend();
        EXPECT_TRUE(m.running());
        PlayCycle(m, {1.0, 0.94, 0.94, 1.0});
        EXPECT_LT(m.outcome(0.03, 2.0).noise, noise) << "cycle " << m.cycles();
        noise = m.outcome(0.03, 2.0).noise;
    }
    MatchOutcome o = m.outcome(0.03, 2.0);
    EXPECT_FALSE(o.close);
    EXPECT_EQ(o.result, MatchResult::kWin);
    EXPECT_NEAR(o.difference, relative_difference(1.0, 0.94), 0.01) << "the pooled difference";
}

TEST(Match, CpuFromOneBlockOfASideIsNoEvidence) {
    // The champion's first block idle (no active epoch), its second in a
    // cheap phase; the challenger's blocks busy and dear. The difference
    // looks large and each side's blocks look alike in memory, but the
    // champion's cpu and faults rest on one block: a step of the workload
    // between its blocks could have made all of it.
    Match m;
    m.start(MatchPlan{0, 0, 1}, CostWeights{});
    Play(m, [](Match::Side s, int i) {
        if (s == Match::kChallenger) return EpochCost{2000, 1, 10e6, true};
        if (i == 0) return EpochCost{0, 0, 10e6, false};  // A1: idle
        return EpochCost{60, 0.001, 10e6, true};        // A2: a cheap phase
    });
    MatchOutcome o = m.outcome(0.03, 2.0);
    EXPECT_GT(o.difference, 0.5);
    EXPECT_TRUE(o.close) << "noise " << o.noise;
    EXPECT_EQ(o.result, MatchResult::kDraw);
}

TEST(Match, AStartAfterAnExtensionForgetsThePooledCycles) {
    Match m;
    m.start(MatchPlan{0, 0, 1}, CostWeights{});
    PlayCycle(m, {1.0, 0.80, 1.10, 1.0});
    m.extend();
    PlayCycle(m, {1.0, 0.80, 1.10, 1.0});
    EXPECT_EQ(m.cycles(), 2u);
    m.start(MatchPlan{0, 0, 1}, CostWeights{});
    PlayCycle(m, {1.0, 1.0, 1.0, 1.0});
    EXPECT_EQ(m.cycles(), 1u);
    EXPECT_DOUBLE_EQ(m.outcome(0.03, 2.0).difference, 0);
    EXPECT_DOUBLE_EQ(m.outcome(0.03, 2.0).noise, 0);
}

TEST(PageHinkley, StaysQuietOnNoiseAndFiresSoonAfterAStepEitherWay) {
    for (double step : {2.0, -2.0}) {
        PageHinkley ph(0.5, 3.0, 10);
        Rng rng(7);
        int fired_before = 0, fired_after_at = -1;
        for (int i = 0; i < 400; ++i) {
            double x = 10 + (rng.unit() - 0.5) * 0.6 + (i >= 200 ? step : 0);
            if (ph.add(x)) {
                if (i < 200) ++fired_before;
                else if (fired_after_at < 0) fired_after_at = i;
            }
        }
        EXPECT_EQ(fired_before, 0) << "noise of +-0.3 is not a change";
        EXPECT_GE(fired_after_at, 200) << "step " << step;
        EXPECT_LE(fired_after_at, 205) << "step " << step;
    }
}

}  // namespace
}  // namespace hakmem::learn
