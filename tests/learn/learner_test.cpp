// The learner as the background thread runs it, driven here tick by tick
// with injected signals whose costs depend on the strategy in force: it
// installs the strategies it tries, settles on the cheapest, records its
// history, and stops for good when the program sets a strategy itself.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "hakmem/hakmem.h"
#include "large/strategy_install.h"
#include "learn/knobs.h"
#include "learn/learner.h"
#include "learn/playbook.h"
#include "learn/signals.h"

namespace hakmem::learn {
namespace {

// The synthetic process: each epoch does 100k allocations whose CPU,
// faults and memory overhead scale with the strategy's distance from
// purge_delay 10 ms and large_cache 256 MiB (+10% per grid step).
double Multiplier(const StrategyValues& s) {
    int a = 0, b = 0;
    for (unsigned i = 0; i < knob_count(); ++i) {
        if (std::string(knob(i).name) == "purge_delay_ms") a = static_cast<int>(knob_index(knob(i), s)) - 0;
        if (std::string(knob(i).name) == "large_cache_max") b = static_cast<int>(knob_index(knob(i), s)) - 1;
    }
    return 1.0 + 0.1 * (std::abs(a) + std::abs(b));
}

Signals g_signals;

Signals Synthetic(uint64_t now_ms) {
    double k = Multiplier(strategy_snapshot());
    Signals& s = g_signals;
    uint64_t allocs = 100000;
    s.now_ms = now_ms;
    s.allocs += allocs;
    s.cpu_ns += static_cast<uint64_t>(200.0 * k * allocs);
    s.minor_faults += static_cast<uint64_t>(10 * k);
    s.live_bytes = 100u << 20;
    s.rss_bytes = s.live_bytes + static_cast<uint64_t>(4e6 * k);
    return s;
}

class LearnerTest : public ::testing::Test {
protected:
    void SetUp() override {
        saved_ = strategy_snapshot();
        g_signals = Signals{};
        set_signal_source_for_testing(&Synthetic);
    }
    void TearDown() override {
        learner_stop();
        set_signal_source_for_testing(nullptr);
        strategy_install(saved_);
    }
    // Ticks `n` epochs of 100 ms from `*now`.
    static void Tick(uint64_t* now, int n) {
        for (int i = 0; i < n; ++i) {
            *now += 100;
            ASSERT_NE(learner_tick(*now), 0u) << "stopped at tick " << i;
        }
    }
    StrategyValues saved_;
};

TEST_F(LearnerTest, TheTournamentInstallsWhatItTriesAndSettlesOnTheCheapest) {
    ASSERT_DOUBLE_EQ(Multiplier(strategy_defaults()), 1.3);
    strategy_install(strategy_defaults());
    uint64_t now = 1000000;
    learner_start(Mode::kElo, LearnerConfig{}, now, /*on_background=*/false);
    Tick(&now, 30000);
    LearnerInfo info = learner_info();
    EXPECT_EQ(info.mode, Mode::kElo);
    EXPECT_FALSE(info.frozen);
    EXPECT_EQ(info.epochs, 30000u - 1) << "the first tick only takes the first reading";
    EXPECT_GT(info.matches, 50u);
    EXPECT_GT(info.switches, 2 * info.matches - 1) << "each match switches to the challenger and back";
    EXPECT_LE(Multiplier(info.candidate[info.champion].strategy), 1.1 + 1e-9);
    if (info.current == info.champion) {
        EXPECT_EQ(strategy_snapshot(), info.candidate[info.champion].strategy);
    }
    EXPECT_TRUE(info.candidate[0].is_default);
}

TEST_F(LearnerTest, Ucb1RunsOnTheSameSignals) {
    strategy_install(strategy_defaults());
    uint64_t now = 1000000;
    learner_start(Mode::kUcb1, LearnerConfig{}, now, false);
    Tick(&now, 5000);
    LearnerInfo info = learner_info();
    EXPECT_EQ(info.mode, Mode::kUcb1);
    EXPECT_LE(Multiplier(info.candidate[info.champion].strategy), 1.2 + 1e-9) << "one step from the default is the best arm";
}

TEST_F(LearnerTest, HistoryRecordsEachEpochWithTheCandidateThatRanIt) {
    strategy_install(strategy_defaults());
    uint64_t now = 1000000;
    learner_start(Mode::kElo, LearnerConfig{}, now, false);
    Tick(&now, 2000);
    static EpochRecord history[kHistory];
    unsigned n = learner_history(history, kHistory);
    ASSERT_EQ(n, kHistory) << "the last kHistory epochs";
    for (unsigned i = 1; i < n; ++i) ASSERT_EQ(history[i].time_ms, history[i - 1].time_ms + 100);
    EXPECT_EQ(history[n - 1].time_ms, now);
    LearnerInfo info = learner_info();
    for (unsigned i = 0; i < n; ++i) {
        ASSERT_LT(history[i].candidate, info.candidates);
        ASSERT_TRUE(history[i].cost.active);
        // The epoch's cost is that of the strategy it ran (cpu per alloc = 200 x multiplier).
        ASSERT_GT(history[i].cost.cpu, 199.0);
    }
}

TEST_F(LearnerTest, HistoryReadUpToAnEpochEndsAtThatEpoch) {
    // The JSON report reads the counts, then the history: an epoch ending in
    // between must not show up in the history alone.
    strategy_install(strategy_defaults());
    uint64_t now = 1000000;
    learner_start(Mode::kElo, LearnerConfig{}, now, false);
    Tick(&now, 51);
    uint64_t epochs = learner_info().epochs;
    ASSERT_EQ(epochs, 50u);
    struct Seen {
        unsigned count = 0;
        uint64_t last_ms = 0;
    } seen;
    auto count = [](const EpochRecord& r, void* context) {
        auto* s = static_cast<Seen*>(context);
        ++s->count;
        s->last_ms = r.time_ms;
    };
    learner_history_each(epochs, count, &seen);
    EXPECT_EQ(seen.count, 50u);
    EXPECT_EQ(seen.last_ms, now);
    Tick(&now, 1);  // an epoch ends after the counts were read
    seen = Seen{};
    learner_history_each(epochs, count, &seen);
    EXPECT_EQ(seen.count, 50u) << "the history stops at the epoch the counts describe";
    EXPECT_EQ(seen.last_ms, now - 100);
}

TEST_F(LearnerTest, SettingAStrategyFreezesTheLearnerForGood) {
    strategy_install(strategy_defaults());
    uint64_t now = 1000000;
    learner_start(Mode::kElo, LearnerConfig{}, now, false);
    Tick(&now, 500);
    hak_strategy_t mine;
    mine.struct_size = sizeof mine;
    ASSERT_EQ(hak_get_strategy(&mine), HAK_OK);
    mine.purge_delay_ms = 777;
    ASSERT_EQ(hak_set_strategy(&mine), HAK_OK);
    EXPECT_EQ(learner_tick(now + 100), 0u) << "no further epochs";
    EXPECT_TRUE(learner_info().frozen);
    EXPECT_EQ(strategy_snapshot().purge_delay_ms, 777u) << "the program's strategy stays";
    EXPECT_EQ(learner_tick(now + 200), 0u);
}

// Epochs until the champion is the landscape's best strategy (-1: never within `limit`).
int EpochsToBest(uint64_t* now, int limit) {
    for (int i = 0; i < limit; ++i) {
        *now += 100;
        if (learner_tick(*now) == 0) return -1;
        LearnerInfo info = learner_info();
        if (Multiplier(info.candidate[info.champion].strategy) < 1.0 + 1e-9) return i + 1;
    }
    return -1;
}

// A playbook file in a fresh directory, removed with it at the end; the
// in-memory playbook starts and ends empty.
class TempPlaybook {
public:
    TempPlaybook() {
        if (mkdtemp(dir_) == nullptr) ADD_FAILURE() << "mkdtemp";
        path_ = std::string(dir_) + "/program.playbook";
        playbook_reset();
    }
    ~TempPlaybook() {
        playbook_reset();
        unlink(path_.c_str());
        unlink((path_ + ".lock").c_str());
        rmdir(dir_);
    }
    const char* path() const { return path_.c_str(); }

private:
    char dir_[32] = "/tmp/hakmem-learner-XXXXXX";
    std::string path_;
};

TEST_F(LearnerTest, ASecondRunWithThePlaybookFindsTheBestStrategySooner) {
    TempPlaybook file;
    const std::string path = file.path();
    LearnerConfig config;
    config.playbook = file.path();
    static uint64_t seconds = 1700000000;
    config.unix_clock = [] { return ++seconds; };  // every record a second later
    ASSERT_EQ(playbook_load(path.c_str()), 0u) << "no file yet: an empty playbook";

    strategy_install(strategy_defaults());
    uint64_t now = 1000000;
    learner_start(Mode::kElo, config, now, false);
    int first = EpochsToBest(&now, 40000);
    ASSERT_GT(first, 0) << "the first run finds the best strategy on its own";
    Tick(&now, 100);
    learner_save();
    learner_stop();
    EXPECT_GT(playbook_size(), 0u);

    // A new process of the same program: the file is all it has.
    playbook_reset();
    ASSERT_GT(playbook_load(path.c_str()), 0u);
    strategy_install(strategy_defaults());
    g_signals = Signals{};
    learner_start(Mode::kElo, config, now, false);
    int second = EpochsToBest(&now, 40000);
    EXPECT_GT(second, 0);
    RecordProperty("epochs_first_run", first);
    RecordProperty("epochs_second_run", second);
    EXPECT_LT(second, first / 2) << "the playbook's strategy is tried as soon as the workload is recognised";
    // The first run's champion won its title in matches: the second run
    // crowns it at its first lookup, without a match of its own (13 epochs
    // here; 27 when it was only the next challenger and had to win one).
    LearnerInfo crowned = learner_info();
    EXPECT_EQ(crowned.playbook_crowns, 1u);
    EXPECT_LE(crowned.matches, 1u) << "only the opening match, against another challenger";
    EXPECT_EQ(learner_info().playbook_suggestions, 1u);
    Tick(&now, 2000);  // long enough for the crowned strategy to defend its title
    learner_save();
    learner_stop();
    PlaybookEntry best;
    ASSERT_TRUE(playbook_lookup(Signature{}, 1e9, &best));
    EXPECT_GE(best.helpful, 1u) << "the crowned strategy defended its title: marked helpful";
}

TEST_F(LearnerTest, AnUncontestedDefaultIsNotRecordedAsTheTitleHolder) {
    // A run that ends before its first match is decided: the default holds
    // the title by default, which is no evidence, and must not outrank in
    // the playbook a strategy an earlier run saw win.
    TempPlaybook file;
    LearnerConfig config;
    config.playbook = file.path();
    strategy_install(strategy_defaults());
    uint64_t now = 1000000;
    learner_start(Mode::kElo, config, now, false);
    Tick(&now, 5);
    ASSERT_EQ(learner_info().matches, 0u);
    learner_save();
    learner_stop();
    PlaybookEntry e;
    ASSERT_TRUE(playbook_lookup(Signature{}, 1e9, &e)) << "the champion is recorded";
    EXPECT_TRUE(e.strategy == strategy_defaults());
    EXPECT_EQ(e.last_seen, 0u);
}

}  // namespace
}  // namespace hakmem::learn
