// The tournament and the UCB1 baseline on synthetic cost landscapes with a
// known best strategy: the tournament walks there by mutations and matches
// while spending at most its exploration share on challengers; UCB1 finds
// the best of its fixed arms; where the default is best, both keep it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "learn/knobs.h"
#include "learn/tournament.h"
#include "learn/ucb1.h"

namespace hakmem::learn {
namespace {

unsigned KnobIndex(const char* name, const StrategyValues& s) {
    for (unsigned i = 0; i < knob_count(); ++i)
        if (std::string(knob(i).name) == name) return knob_index(knob(i), s);
    ADD_FAILURE() << "no knob " << name;
    return 0;
}

// Cost multiplier: 1 at the target, +10% per grid step away on either knob.
struct Landscape {
    int purge_delay_target;  // grid index
    int large_cache_target;
    double operator()(const StrategyValues& s) const {
        int a = static_cast<int>(KnobIndex("purge_delay_ms", s)) - purge_delay_target;
        int b = static_cast<int>(KnobIndex("large_cache_max", s)) - large_cache_target;
        return 1.0 + 0.1 * (std::abs(a) + std::abs(b));
    }
};

EpochCost Noisy(double k, Rng& rng) {
    double n = 1.0 + (rng.unit() - 0.5) * 0.04;  // +-2% noise per epoch
    return EpochCost{200 * k * n, 0.01 * k * n, 4e6 * k * n, true};
}

struct Outcome {
    double final_multiplier;
    double share_off_champion;  // epochs not run by the champion of the time
};

template <typename Learner>
Outcome Drive(Learner& learner, const Landscape& cost, int epochs, uint64_t seed) {
    Rng noise(seed);
    int off = 0;
    for (int i = 0; i < epochs; ++i) {
        const StrategyValues& s = learner.current();
        if (learner.current_index() != learner.population().champion()) ++off;
        learner.on_epoch(Noisy(cost(s), noise));
    }
    const Population& pop = learner.population();
    return Outcome{cost(pop.at(pop.champion()).strategy), static_cast<double>(off) / epochs};
}

LearnerConfig Config(uint64_t seed) {
    LearnerConfig c;
    c.seed = seed;
    return c;
}

TEST(Tournament, WalksToAKnownBestStrategyAndExploresAtMostItsShare) {
    // Defaults: purge delay index 2 (250 ms), large cache index 0 (64 MiB).
    // Best: 10 ms and 256 MiB, three steps away (1.3x the best's cost).
    Landscape cost{0, 1};
    ASSERT_DOUBLE_EQ(cost(strategy_defaults()), 1.3);
    int reached = 0;
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        Tournament t;
        t.init(strategy_defaults(), Config(seed));
        Outcome run = Drive(t, cost, 30000, seed);
        EXPECT_LE(run.share_off_champion, 0.11) << "seed " << seed;
        EXPECT_LE(run.final_multiplier, 1.1 + 1e-9) << "seed " << seed << ": within one step of the best";
        reached += run.final_multiplier < 1.0 + 1e-9;
        EXPECT_GT(t.matches(), 50u);
    }
    EXPECT_GE(reached, 3) << "the best itself, in most runs";
}

TEST(Tournament, KeepsTheDefaultWhereTheDefaultIsBest) {
    Landscape cost{2, 0};
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        Tournament t;
        t.init(strategy_defaults(), Config(seed));
        Outcome run = Drive(t, cost, 10000, seed);
        EXPECT_DOUBLE_EQ(run.final_multiplier, 1.0) << "seed " << seed;
        EXPECT_LE(run.share_off_champion, 0.11);
    }
}

TEST(Tournament, AChampionWorseThanTheDefaultIsFoundOutWhenTheLandscapeChanges) {
    Landscape first{0, 1}, second{2, 0};
    Tournament t;
    t.init(strategy_defaults(), Config(9));
    Drive(t, first, 20000, 9);
    ASSERT_FALSE(t.population().champion() == 0) << "it left the default on the first landscape";
    t.reopen();
    Outcome run = Drive(t, second, 20000, 10);
    EXPECT_LE(run.final_multiplier, 1.1 + 1e-9) << "back at (or next to) the default";
}

// Epochs of the next match against challenger `s` (named by suggest, which
// lets it start at once), on a flat landscape.
unsigned NextMatchLength(Tournament& t, const StrategyValues& s) {
    t.suggest(s, kEloInitial);
    EpochCost flat{200, 0.01, 4e6, true};
    for (int i = 0; i < 1000 && !t.in_match(); ++i) t.on_epoch(flat);
    unsigned n = 0;
    while (t.in_match() && n < 1000) t.on_epoch(flat), ++n;
    return n;
}

TEST(Tournament, AMatchIsAsLongAsItsSwitchesNeed) {
    Tournament t;
    t.init(strategy_defaults(), Config(1));
    StrategyValues huge = strategy_defaults();
    huge.huge_pages = 1;
    // Same purge rule: A A b B B B B a A A, one burn-in epoch per switch.
    EXPECT_EQ(NextMatchLength(t, huge), 10u);
    // 250 ms against 1 s: 8 + 1 epochs after the switch to the longer
    // delay, 3 + 1 after the switch back.
    StrategyValues hoard = strategy_defaults();
    hoard.purge_delay_ms = 1000;
    EXPECT_EQ(NextMatchLength(t, hoard), 8u + 9 + 4);
}

// The strategy of the first challenger a tournament plays.
StrategyValues FirstChallenger(Tournament& t) {
    EpochCost flat{200, 0.01, 4e6, true};
    for (int i = 0; i < 1000 && t.current_index() == t.population().champion(); ++i) t.on_epoch(flat);
    return t.current();
}

TEST(Tournament, TriesHugePagesFirstAndTheLongerDelayFirstOnceTheWorkloadChangesPhase) {
    LearnerConfig c = Config(3);
    c.epsilon = 0;  // the greedy order alone
    StrategyValues huge = strategy_defaults(), longer = strategy_defaults();
    huge.huge_pages = 1;
    longer.purge_delay_ms = 1000;
    Tournament stationary;
    stationary.init(strategy_defaults(), c);
    EXPECT_EQ(FirstChallenger(stationary), huge);
    Tournament phased;
    phased.init(strategy_defaults(), c);
    phased.reopen();  // the change detector fired before the first match
    EXPECT_EQ(FirstChallenger(phased), longer);
}

TEST(Tournament, ACrownedStrategyRulesAtOnceAndDefendsTheTitleAgainstWhatItReplaced) {
    Tournament t;
    t.init(strategy_defaults(), Config(3));
    EpochCost flat{200, 0.01, 4e6, true};
    for (int i = 0; i < 1000 && (t.matches() == 0 || t.in_match()); ++i) t.on_epoch(flat);  // the opening match
    ASSERT_FALSE(t.in_match());
    const StrategyValues replaced = t.population().at(t.population().champion()).strategy;
    StrategyValues huge = strategy_defaults();
    huge.huge_pages = 1;
    ASSERT_FALSE(huge == replaced);
    const uint64_t changes = t.champion_changes(), matches = t.matches();
    t.crown(huge, 1600);
    EXPECT_EQ(t.population().at(t.population().champion()).strategy, huge);
    EXPECT_EQ(t.current(), huge) << "it runs from the next epoch";
    EXPECT_EQ(t.champion_changes(), changes + 1);
    EXPECT_EQ(t.matches(), matches) << "without a match";
    t.crown(huge, 1600);
    EXPECT_EQ(t.champion_changes(), changes + 1) << "crowning the champion changes nothing";

    // Here huge pages cost 30% more than what they replaced: the first
    // challenger the crowned strategy meets is that one, which takes the
    // title back.
    Rng noise(3);
    bool met = false;
    StrategyValues first{};
    for (int i = 0; i < 5000 && !(met && !t.in_match()); ++i) {
        if (!met && t.in_match() && t.current_index() != t.population().champion()) first = t.current(), met = true;
        t.on_epoch(Noisy(t.current() == huge ? 1.3 : 1.0, noise));
    }
    ASSERT_TRUE(met) << "the title was never defended";
    EXPECT_EQ(first, replaced);
    EXPECT_EQ(t.population().at(t.population().champion()).strategy, replaced);
}

// Every strategy costs the same; each epoch +-15% of noise (a real
// process's CPU per allocation over 100 ms moves that much).
struct NoisyFlat {
    Rng rng;
    EpochCost operator()() {
        double n = 1.0 + (rng.unit() - 0.5) * 0.3;
        return EpochCost{200 * n, 0.01 * n, 4e6 * n, true};
    }
};

TEST(Tournament, OnAFlatNoisyLandscapeTheTitleRarelyChangesHandsAndExplorationStaysWithinItsShare) {
    uint64_t changes[2] = {}, matches[2] = {};
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        for (int test = 0; test < 2; ++test) {
            LearnerConfig c = Config(seed);
            c.noise_factor = test ? 2.0 : 0.0;  // 0: the margin alone decides
            Tournament t;
            t.init(strategy_defaults(), c);
            NoisyFlat noise{Rng(seed * 7)};
            int off = 0;
            for (int i = 0; i < 20000; ++i) {
                off += t.current_index() != t.population().champion();
                t.on_epoch(noise());
            }
            EXPECT_LE(off / 20000.0, 0.11) << "seed " << seed << " factor " << c.noise_factor;
            changes[test] += t.champion_changes();
            matches[test] += t.matches();
            if (test) {
                EXPECT_GT(t.extensions(), 0u) << "close matches got another cycle";
            }
        }
    }
    RecordProperty("title_changes_margin_alone", static_cast<int>(changes[0]));
    RecordProperty("title_changes_with_noise_test", static_cast<int>(changes[1]));
    double rate_margin = static_cast<double>(changes[0]) / matches[0];
    double rate_noise = static_cast<double>(changes[1]) / matches[1];
    // Measured: 268 title changes with the margin alone, 43 with the noise
    // test (over fewer matches: close ones take two cycles).
    EXPECT_LT(rate_noise, rate_margin / 2) << "nothing to win: a title change is a noise win";
}

TEST(Tournament, AStepOfTheWorkloadInsideAMatchDoesNotDecideIt) {
    // Every strategy costs the same, but the workload's cost doubles or
    // halves every 13-37 epochs (phases): a step that falls inside a match
    // bills one side for the phase. The noise test sees it as the distance
    // between the two blocks of a side.
    uint64_t changes[2] = {}, matches[2] = {};
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        for (int test = 0; test < 2; ++test) {
            LearnerConfig c = Config(seed);
            c.noise_factor = test ? 2.0 : 0.0;
            Tournament t;
            t.init(strategy_defaults(), c);
            Rng rng(seed * 13);
            double level = 1;
            int left = 20;
            for (int i = 0; i < 20000; ++i) {
                if (--left == 0) level = level == 1 ? 2 : 1, left = 13 + static_cast<int>(rng.below(25));
                double n = level * (1.0 + (rng.unit() - 0.5) * 0.04);
                t.on_epoch(EpochCost{200 * n, 0.01 * n, 4e6 * n, true});
            }
            changes[test] += t.champion_changes();
            matches[test] += t.matches();
        }
    }
    // Measured (20 seeds): 23% of matches with the margin alone, 1% with the test.
    double rate_margin = static_cast<double>(changes[0]) / matches[0];
    double rate_noise = static_cast<double>(changes[1]) / matches[1];
    EXPECT_GT(rate_margin, 0.1) << "the steps do fool the margin alone";
    EXPECT_LT(rate_noise, rate_margin / 4);
}

TEST(Tournament, UnderHeavyNoiseItStillSettlesOnTheBest) {
    // The first test's landscape (the best three steps away, +10% a step)
    // under +-15% noise per epoch, where one cycle's difference is often
    // within twice its noise: the second half of the run is spent mostly
    // on the best strategy all the same.
    Landscape cost{0, 1};
    double at_best = 0;
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        Tournament t;
        t.init(strategy_defaults(), Config(seed));
        Rng noise(seed * 11);
        for (int i = 0; i < 30000; ++i) {
            double k = cost(t.current());
            if (i >= 15000) at_best += (k < 1.0 + 1e-9) / 15000.0 / 5;
            double n = 1.0 + (noise.unit() - 0.5) * 0.3;
            t.on_epoch(EpochCost{200 * k * n, 0.01 * k * n, 4e6 * k * n, true});
        }
    }
    EXPECT_GT(at_best, 0.85);  // measured 0.94 (0.94 with the margin alone)
}

TEST(Tournament, ACloseMatchGetsItsSecondCycleFromTheBudgetNotFromAPhaseChange) {
    StrategyValues huge = strategy_defaults(), longer = strategy_defaults();
    huge.huge_pages = 1;
    longer.purge_delay_ms = 1000;
    for (bool phase_change : {false, true}) {
        LearnerConfig c = Config(3);
        c.epsilon = 0;
        Tournament t;
        t.init(strategy_defaults(), c);
        // The first match (huge pages on) is close: 5% cheaper on average,
        // but its two blocks 30% apart.
        int challenger_scored = 0;
        EpochCost base{200, 0.01, 4e6, true};
        auto cost = [&](double k) { return EpochCost{base.cpu * k, base.faults * k, base.memory * k, true}; };
        ASSERT_EQ(FirstChallenger(t), huge);
        int guard = 0;
        while (t.in_match() && guard++ < 100) {
            bool b = t.current_index() != t.population().champion();
            // Burn-in epochs are the first of the block; scored ones follow.
            double k = 1.0;
            if (b && guard > 1) k = challenger_scored++ < 2 ? 0.80 : 1.10;
            t.on_epoch(cost(k));
        }
        ASSERT_EQ(t.matches(), 0u) << "close: not decided";
        if (phase_change) {
            t.reopen();
            // (The draw's cull may have added a mutation that also moves
            // another knob, whose prior is then higher still.)
            EXPECT_EQ(FirstChallenger(t).purge_delay_ms, longer.purge_delay_ms) << "the free match goes to the delay";
            EXPECT_EQ(t.matches(), 1u) << "the close match ended a draw";
            EXPECT_EQ(t.extensions(), 0u);
        } else {
            EXPECT_EQ(FirstChallenger(t), huge) << "its second cycle, once the budget allows";
            EXPECT_EQ(t.extensions(), 1u);
        }
    }
}

TEST(Ucb1, SettlesOnTheBestOfItsArms) {
    Landscape cost{0, 1};
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        Ucb1 u;
        u.init(strategy_defaults(), Config(seed));
        Rng noise(seed);
        for (int i = 0; i < 20000; ++i) u.on_epoch(Noisy(cost(u.current()), noise));
        double best = 10;
        for (unsigned i = 0; i < u.population().size(); ++i) best = std::min(best, cost(u.population().at(i).strategy));
        EXPECT_DOUBLE_EQ(cost(u.population().at(u.leader()).strategy), best) << "seed " << seed;
    }
}

}  // namespace
}  // namespace hakmem::learn
