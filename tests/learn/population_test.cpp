// The population of candidate strategies: the default first and never
// evicted, distinct one-step neighbours around it (those likeliest to
// matter first), challengers chosen epsilon-greedily with the default
// called back, and culling to the top M.
#include <gtest/gtest.h>

#include "learn/knobs.h"
#include "learn/population.h"

namespace hakmem::learn {
namespace {

unsigned KnobsThatDiffer(const StrategyValues& a, const StrategyValues& b) {
    unsigned n = 0;
    for (unsigned i = 0; i < knob_count(); ++i) n += knob_get(knob(i), a) != knob_get(knob(i), b);
    return n;
}

TEST(Knobs, AMutationMovesExactlyOneKnobOneStepOfItsGrid) {
    Rng rng(1);
    StrategyValues base = strategy_defaults();
    for (int i = 0; i < 200; ++i) {
        StrategyValues m = mutate(base, rng);
        ASSERT_EQ(KnobsThatDiffer(base, m), 1u);
        ASSERT_TRUE(strategy_valid(m));
        for (unsigned k = 0; k < knob_count(); ++k) {
            int step = static_cast<int>(knob_index(knob(k), m)) - static_cast<int>(knob_index(knob(k), base));
            ASSERT_LE(std::abs(step), 1) << knob(k).name;
        }
        base = m;  // a random walk over the grid stays valid
    }
}

StrategyValues Moved(const char* name, int steps) {
    StrategyValues s = strategy_defaults();
    for (unsigned i = 0; i < knob_count(); ++i) {
        const Knob& k = knob(i);
        if (std::string(k.name) == name) knob_set(k, &s, k.grid[static_cast<int>(knob_index(k, s)) + steps]);
    }
    return s;
}

TEST(Knobs, TheDefaultsNeighboursAreEveryOneStepMoveOfEveryKnob) {
    StrategyValues out[32];
    unsigned n = neighbours(strategy_defaults(), out, 32);
    unsigned expected = 0;
    for (unsigned k = 0; k < knob_count(); ++k) {
        unsigned i = knob_index(knob(k), strategy_defaults());
        expected += (i > 0) + (i + 1 < knob(k).steps);
    }
    EXPECT_EQ(n, expected);
    for (unsigned i = 0; i < n; ++i) {
        EXPECT_EQ(KnobsThatDiffer(strategy_defaults(), out[i]), 1u);
        for (unsigned j = 0; j < i; ++j) EXPECT_FALSE(out[i] == out[j]);
    }
    EXPECT_EQ(neighbours(strategy_defaults(), out, 3), 3u) << "no more than asked";
}

TEST(Knobs, ThePriorRanksHugePagesOnAndLongerDelaysAboveMovesThatRarelyMatter) {
    const StrategyValues d = strategy_defaults();
    EXPECT_EQ(move_prior(d, d, false), 0);
    double huge_on = move_prior(d, Moved("huge_pages", -1), false);
    double longer = move_prior(d, Moved("purge_delay_ms", +1), false);
    double bigger_cache = move_prior(d, Moved("large_cache_max", +1), false);
    StrategyValues near[32];
    unsigned n = neighbours(d, near, 32);
    for (unsigned i = 0; i < n; ++i) {
        for (const char* rare : {"segment_cache_max", "purge_mode", "mmap_threshold", "purge_batch_bytes"}) {
            unsigned k = 0;
            while (std::string(knob(k).name) != rare) ++k;
            if (knob_get(knob(k), near[i]) == knob_get(knob(k), d)) continue;
            EXPECT_LT(move_prior(d, near[i], false), longer) << rare;
            EXPECT_LT(move_prior(d, near[i], false), bigger_cache) << rare;
        }
    }
    EXPECT_GT(huge_on, longer);
    EXPECT_LT(move_prior(d, Moved("purge_delay_ms", -1), false), longer) << "shorter delays cost where measured";
    // A workload that changes phase: the delay decides what one phase
    // keeps for the next, and comes first.
    EXPECT_GT(move_prior(d, Moved("purge_delay_ms", +1), true), move_prior(d, Moved("huge_pages", -1), true));
    EXPECT_DOUBLE_EQ(move_prior(d, Moved("purge_delay_ms", +2), false), 2 * longer) << "per step";
}

TEST(Population, StartsWithTheDefaultAsChampionAndDistinctNeighbours) {
    Rng rng(2);
    Population pop;
    pop.init(strategy_defaults(), 8, rng);
    ASSERT_EQ(pop.size(), 8u);
    EXPECT_TRUE(pop.at(0).is_default);
    EXPECT_EQ(pop.at(0).strategy, strategy_defaults());
    EXPECT_EQ(pop.champion(), 0u);
    for (unsigned i = 1; i < pop.size(); ++i) {
        EXPECT_EQ(KnobsThatDiffer(pop.at(0).strategy, pop.at(i).strategy), 1u);
        for (unsigned j = 0; j < i; ++j) EXPECT_FALSE(pop.at(i).strategy == pop.at(j).strategy) << i << " " << j;
    }
}

TEST(Population, TheFirstCandidatesAreTheMovesLikeliestToMatterWhateverTheSeed) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        Rng rng(seed);
        Population pop;
        pop.init(strategy_defaults(), 4, rng);
        ASSERT_EQ(pop.size(), 4u);
        bool huge = false, longer = false, bigger = false;
        for (unsigned i = 1; i < 4; ++i) {
            huge |= pop.at(i).strategy == Moved("huge_pages", -1);
            longer |= pop.at(i).strategy == Moved("purge_delay_ms", +1);
            bigger |= pop.at(i).strategy == Moved("large_cache_max", +1);
        }
        EXPECT_TRUE(huge && longer && bigger) << "seed " << seed;
    }
}

TEST(Population, UntriedChallengersComeInOrderOfTheirPrior) {
    for (bool phases : {false, true}) {
        Rng rng(6);
        Population pop;
        pop.init(strategy_defaults(), 8, rng);
        unsigned first = pop.pick_challenger(/*epsilon=*/0, 4, rng, phases);
        EXPECT_EQ(pop.at(first).strategy, phases ? Moved("purge_delay_ms", +1) : Moved("huge_pages", -1));
        // Once it has played (a draw leaves equal ratings equal), the next.
        pop.record(first, MatchResult::kDraw);
        unsigned second = pop.pick_challenger(0, 4, rng, phases);
        EXPECT_NE(second, first);
        if (phases) EXPECT_EQ(pop.at(second).strategy, Moved("huge_pages", -1));
        else EXPECT_GE(move_prior(strategy_defaults(), pop.at(second).strategy, phases), 2.0) << "delay or cache up";
    }
}

TEST(Population, AWinMakesTheChallengerChampionAndTheDefaultIsCalledBack) {
    Rng rng(3);
    Population pop;
    pop.init(strategy_defaults(), 6, rng);
    pop.record(3, MatchResult::kWin);
    EXPECT_EQ(pop.champion(), 3u);
    EXPECT_EQ(pop.at(3).wins, 1u);
    EXPECT_EQ(pop.at(0).losses, 1u);
    EXPECT_GT(pop.at(3).rating, pop.at(0).rating);
    int defaults = 0;
    for (int i = 0; i < 40; ++i) {
        unsigned c = pop.pick_challenger(0.2, 4, rng);
        EXPECT_NE(c, pop.champion());
        defaults += c == 0;
    }
    EXPECT_GE(defaults, 10) << "every 4th challenge at least is the default's";
}

TEST(Population, CullingKeepsTheTopTheDefaultAndTheChampionAndReplacesPlayedLosers) {
    Rng rng(4);
    Population pop;
    pop.init(strategy_defaults(), 8, rng);
    // Candidate 5 beats the default; 1, 2 and 3 lose to the new champion.
    pop.record(5, MatchResult::kWin);
    for (unsigned loser : {1u, 2u, 3u}) pop.record(loser, MatchResult::kLoss);
    StrategyValues before[8];
    for (unsigned i = 0; i < 8; ++i) before[i] = pop.at(i).strategy;
    unsigned replaced = pop.cull(4, rng);
    EXPECT_EQ(replaced, 3u) << "the three losers fell out of the top 4";
    EXPECT_EQ(pop.at(0).strategy, before[0]) << "the default stays";
    EXPECT_EQ(pop.at(5).strategy, before[5]) << "the champion stays";
    for (unsigned i : {1u, 2u, 3u}) {
        EXPECT_EQ(pop.at(i).played(), 0u);
        EXPECT_EQ(pop.at(i).generation, 1u);
    }
    for (unsigned i : {4u, 6u, 7u}) EXPECT_EQ(pop.at(i).strategy, before[i]) << "unplayed candidates wait their turn";
}

TEST(Population, AdoptingAPlaybookStrategyReplacesTheWeakestOrFindsItsTwin) {
    Rng rng(5);
    Population pop;
    pop.init(strategy_defaults(), 4, rng);
    pop.record(2, MatchResult::kLoss);
    StrategyValues s = strategy_defaults();
    s.purge_delay_ms = 4000;
    s.large_cache_max = 0;
    unsigned i = pop.adopt(s, 1600);
    EXPECT_EQ(i, 2u) << "the lowest-rated replaceable slot";
    EXPECT_EQ(pop.at(2).strategy, s);
    EXPECT_DOUBLE_EQ(pop.at(2).rating, 1600);
    EXPECT_EQ(pop.adopt(s, 1400), 2u) << "already there";
}

}  // namespace
}  // namespace hakmem::learn
