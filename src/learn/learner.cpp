#include "learn/learner.h"

#include <cmath>

#include "large/strategy_install.h"
#include "learn/page_hinkley.h"
#include "learn/signals.h"
#include "learn/tournament.h"
#include "learn/ucb1.h"
#include "os/background.h"
#include "os/os_clock.h"
#include "os/os_lock.h"
#include "periodic/periodic.h"
#include "policy/options.h"

namespace hakmem::learn {
namespace {

// Change detection on the signature's rate and live-heap dimensions (log2
// units): a sustained shift of half a doubling, with evidence of six
// doublings accumulated; ten epochs to settle first. (Lambda 3 fired every
// ~12 epochs of 20 ms on python's alloc_heavy.py, whose rate jitters.)
constexpr double kChangeDelta = 0.5;
constexpr double kChangeLambda = 6.0;
constexpr uint32_t kChangeMinSamples = 10;

struct State {
    Mode mode = Mode::kOff;
    bool active = false;
    bool frozen = false;
    LearnerConfig config;
    Tournament tournament;
    Ucb1 ucb1;
    StrategyValues installed{};
    uint64_t abi_installs = 0;  // hak_set_strategy installs seen at start
    Signals previous;
    bool have_previous = false;
    PageHinkley rate{kChangeDelta, kChangeLambda, kChangeMinSamples};
    PageHinkley live{kChangeDelta, kChangeLambda, kChangeMinSamples};
    uint64_t epochs = 0, switches = 0, phase_changes = 0, cpu_ns = 0;
    EpochRecord history[kHistory];
    uint64_t history_count = 0;
};

// Touched by the periodic job (serialized by periodic/) and by readers;
// this lock makes a reader's copy consistent. Never held across a strategy
// install by readers.
constinit State g_state;  // constant-initialized: learner_init runs in a constructor before dynamic init
constinit os::Lock g_lock;
int g_job = -1;

unsigned current_index(const State& s) {
    return s.mode == Mode::kElo ? s.tournament.current_index() : s.ucb1.current_index();
}
unsigned champion_index(const State& s) {
    return s.mode == Mode::kElo ? s.tournament.population().champion() : s.ucb1.leader();
}
const Population& population(const State& s) {
    return s.mode == Mode::kElo ? s.tournament.population() : s.ucb1.population();
}

uint64_t job(uint64_t now_ms) { return learner_tick(now_ms); }

}  // namespace

void learner_start(Mode mode, const LearnerConfig& config, uint64_t now_ms, bool on_background) {
    {
        os::LockGuard guard(g_lock);
        State& s = g_state;
        s.mode = mode;
        s.active = mode != Mode::kOff;
        s.frozen = false;
        s.config = config;
        s.installed = strategy_snapshot();
        s.abi_installs = strategy_abi_installs();
        if (mode == Mode::kElo) s.tournament.init(s.installed, config);
        if (mode == Mode::kUcb1) s.ucb1.init(s.installed, config);
        s.have_previous = false;
        s.rate.reset();
        s.live.reset();
        s.epochs = s.switches = s.phase_changes = s.cpu_ns = 0;
        s.history_count = 0;
        if (!s.active || !on_background) return;
    }
    if (g_job < 0) g_job = periodic_register("learn", &job, /*on_request=*/false, 0);
    periodic_schedule(g_job, now_ms + config.epoch_ms);
}

void learner_stop() {
    os::LockGuard guard(g_lock);
    g_state.active = false;
}

uint64_t learner_tick(uint64_t now_ms) {
    uint64_t cpu_start = os::thread_cpu_ns();
    StrategyValues install{};
    bool want_install = false;
    uint64_t seen = 0;
    uint64_t next = 0;
    {
        os::LockGuard guard(g_lock);
        State& s = g_state;
        if (!s.active) return 0;
        Signals now = read_signals(now_ms);
        if (!s.have_previous) {
            s.previous = now;
            s.have_previous = true;
            return now_ms + s.config.epoch_ms;
        }
        if (strategy_abi_installs() != s.abi_installs) {
            // hak_set_strategy: the program took control.
            s.frozen = true;
            s.active = false;
            return 0;
        }
        EpochCost cost = epoch_cost(s.previous, now);
        Signature sig = epoch_signature(s.previous, now);
        s.previous = now;
        ++s.epochs;
        bool change = s.rate.add(sig.v[0]);
        change = s.live.add(sig.v[1]) || change;
        unsigned ran = current_index(s);
        if (change) {
            ++s.phase_changes;
            if (s.mode == Mode::kElo) s.tournament.reopen(); else s.ucb1.reopen();
        }
        if (s.mode == Mode::kElo) s.tournament.on_epoch(cost); else s.ucb1.on_epoch(cost);
        EpochRecord& r = s.history[s.history_count++ % kHistory];
        r.time_ms = now_ms;
        r.candidate = static_cast<uint16_t>(ran);
        r.champion = static_cast<uint16_t>(champion_index(s));
        r.in_match = s.mode == Mode::kElo && s.tournament.in_match();
        r.phase_change = change;
        r.cost = cost;
        const StrategyValues& want = s.mode == Mode::kElo ? s.tournament.current() : s.ucb1.current();
        if (!(want == s.installed)) {
            install = want;
            want_install = true;
            s.installed = want;
            ++s.switches;
        }
        seen = s.abi_installs;
        next = now_ms + s.config.epoch_ms;
    }
    // Outside the lock: an install takes the caches' locks and trims them.
    // It fails only if the program installed a strategy meanwhile.
    bool frozen = want_install && !strategy_install_learned(install, seen);
    uint64_t spent = os::thread_cpu_ns() - cpu_start;
    os::LockGuard guard(g_lock);
    g_state.cpu_ns += spent;
    if (frozen) {
        g_state.frozen = true;
        g_state.active = false;
        return 0;
    }
    return next;
}

void learner_init() {
    auto mode = static_cast<Mode>(option_get(Option::kLearn));
    if (mode == Mode::kOff) return;
    LearnerConfig config;
    config.epoch_ms = static_cast<uint32_t>(option_get(Option::kLearnEpochMs));
    learner_start(mode, config, os::now_ms());
    // The learner needs the background thread even in a program that frees
    // little: let the next safe point start it.
    os::background_want_thread();
}

LearnerInfo learner_info() {
    os::LockGuard guard(g_lock);
    const State& s = g_state;
    LearnerInfo info{};
    info.mode = s.mode;
    info.frozen = s.frozen;
    info.epochs = s.epochs;
    info.switches = s.switches;
    info.phase_changes = s.phase_changes;
    info.cpu_ns = s.cpu_ns;
    if (s.mode == Mode::kOff) return info;
    const Population& pop = population(s);
    info.matches = s.mode == Mode::kElo ? s.tournament.matches() : s.ucb1.pulls();
    info.champion_changes = s.mode == Mode::kElo ? s.tournament.champion_changes() : s.ucb1.switches();
    info.champion = champion_index(s);
    info.current = current_index(s);
    info.candidates = pop.size() < kLearnerCandidates ? pop.size() : kLearnerCandidates;
    for (unsigned i = 0; i < info.candidates; ++i) {
        const Candidate& c = pop.at(i);
        // UCB1 keeps no ratings: its discounted mean reward (a relative
        // cost saving) x 1000 stands in.
        double rating = s.mode == Mode::kElo ? c.rating : 1000.0 * s.ucb1.mean_reward(i);
        info.candidate[i] = LearnerCandidateInfo{c.strategy, rating, c.wins, c.losses, c.draws, c.is_default};
    }
    return info;
}

unsigned learner_history(EpochRecord* out, unsigned max) {
    os::LockGuard guard(g_lock);
    const State& s = g_state;
    uint64_t count = s.history_count < kHistory ? s.history_count : kHistory;
    if (count > max) count = max;
    uint64_t first = s.history_count - count;
    for (uint64_t i = 0; i < count; ++i) out[i] = s.history[(first + i) % kHistory];
    return static_cast<unsigned>(count);
}

}  // namespace hakmem::learn
