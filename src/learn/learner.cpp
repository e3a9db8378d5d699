#include "learn/learner.h"

#include <cmath>
#include <ctime>

#include "large/strategy_install.h"
#include "learn/page_hinkley.h"
#include "learn/playbook.h"
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

// The playbook: looked up once the signature has settled (after this many
// epochs) and again on each phase change; entries within this distance of
// the signature count as the same workload (log2 units: about a doubling
// of the rate or the heap on one axis).
constexpr uint64_t kLookupAfterEpochs = 10;
constexpr double kPlaybookDistance = 1.5;
// The signature the playbook sees: a moving average over epochs.
constexpr double kSignatureWeight = 0.1;

// What was last recorded for a candidate slot, so that records are deltas.
struct Recorded {
    uint32_t generation = 0;
    uint32_t wins = 0, losses = 0, draws = 0;
};

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
    Signature signature{};
    bool lookup_due = false;
    bool have_suggestion = false;
    StrategyValues suggestion{};
    uint64_t suggestions = 0;
    uint64_t crowns = 0;  // suggestions crowned (trusted)
    uint64_t playbook_at_start = 0;  // entries known at the first tick
    bool suggestion_judged = false;
    Recorded recorded[kMaxCandidates];
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

// Of the entries consult_playbook takes (more wins than losses), one that
// won the title for this workload and kept it at its last record
// (last_seen is written only for a champion that won a match in its run:
// record_results), and not found harmful more often than helpful: what a
// later run may start from without a match.
bool trusted(const PlaybookEntry& e) { return e.last_seen != 0 && e.helpful >= e.harmful; }

// Takes the playbook's strategy for this workload, if it knows one that won
// more matches than it lost (ELO only: UCB1 is the baseline without
// memory): a trusted entry becomes the champion at once (a second run
// adapts within its first lookup), another the next challenger, whose
// match starts at once. An entry that only drew or lost is no better than
// the champion as far as anyone measured: suggesting it would buy a match
// at every phase change, outside the exploration budget (measured: 4
// extra matches in a 7 s run of phases-fast).
void consult_playbook(State& s) {
    s.lookup_due = false;
    if (s.config.playbook == nullptr || s.mode != Mode::kElo) return;
    PlaybookEntry e;
    if (!playbook_lookup(s.signature, kPlaybookDistance, &e) || !strategy_valid(e.strategy)) return;
    if (e.strategy == s.tournament.current() || e.wins <= e.losses) return;
    if (trusted(e)) {
        s.tournament.crown(e.strategy, e.rating);
        ++s.crowns;
    } else {
        s.tournament.suggest(e.strategy, e.rating);
    }
    s.suggestion = e.strategy;
    s.have_suggestion = true;
    s.suggestion_judged = false;
    ++s.suggestions;
}

// Records the results since the last record of every candidate that
// played (deltas, as the playbook wants: a dethroned champion's loss counts
// too) and whether the playbook's suggestion helped. Caller holds g_lock;
// the file I/O is the caller's (playbook_flush). True if anything was recorded.
bool record_results(State& s) {
    if (s.config.playbook == nullptr || s.mode != Mode::kElo || s.epochs == 0) return false;
    const Population& pop = s.tournament.population();
    bool any = false;
    for (unsigned i = 0; i < pop.size(); ++i) {
        const Candidate& c = pop.at(i);
        Recorded& r = s.recorded[i];
        if (r.generation != c.generation) r = Recorded{c.generation, 0, 0, 0};
        bool champion = i == pop.champion();
        if (!champion && c.wins == r.wins && c.losses == r.losses && c.draws == r.draws) continue;
        PlaybookEntry e{};
        e.signature = s.signature;
        e.strategy = c.strategy;
        e.rating = c.rating;
        e.wins = c.wins - r.wins, e.losses = c.losses - r.losses, e.draws = c.draws - r.draws;
        if (s.have_suggestion && !s.suggestion_judged && c.strategy == s.suggestion) {
            // Judged once: helpful once it holds the title having won a
            // match here (a crowned strategy that was never challenged has
            // shown nothing, and must not vouch for itself run after run),
            // harmful once it played and does not hold it.
            if (champion && c.wins > 0) e.helpful = 1, s.suggestion_judged = true;
            else if (c.played() > 0) e.harmful = 1, s.suggestion_judged = true;
        }
        // Only a champion that won a match in this run (took the title or
        // defended it): trusted() starts later runs from it, and lookups
        // break ties by the latest title holder. The default holding a
        // title nobody contested is no evidence.
        e.last_seen = champion && c.wins > 0 ? s.config.unix_clock() : 0;
        if (!playbook_record(e)) continue;
        r.wins = c.wins, r.losses = c.losses, r.draws = c.draws;
        any = true;
    }
    return any;
}


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
        s.signature = Signature{};
        s.lookup_due = false;
        s.have_suggestion = s.suggestion_judged = false;
        s.suggestions = s.crowns = s.playbook_at_start = 0;
        for (Recorded& r : s.recorded) r = Recorded{};
        if (!s.active || !on_background) return;
    }
    if (g_job < 0) g_job = periodic_register("learn", &job, /*on_request=*/false, 0);
    periodic_schedule(g_job, now_ms + config.epoch_ms);
}

void learner_stop() {
    os::LockGuard guard(g_lock);
    g_state.active = false;
    g_state.config.playbook = nullptr;  // the caller's path may not outlive this: nothing more to save
}

uint64_t learner_tick(uint64_t now_ms) {
    uint64_t cpu_start = os::thread_cpu_ns();
    StrategyValues install{};
    bool want_install = false;
    uint64_t seen = 0;
    bool flush = false;
    const char* playbook = nullptr;
    uint64_t next = 0;
    {
        os::LockGuard guard(g_lock);
        State& s = g_state;
        if (!s.active) return 0;
        Signals now = read_signals(now_ms);
        if (!s.have_previous) {
            s.previous = now;
            s.have_previous = true;
            // What the process knows when learning starts, after every
            // initializer ran (the playbook is loaded from a constructor).
            s.playbook_at_start = s.config.playbook != nullptr ? playbook_size() : 0;
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
        for (unsigned d = 0; d < kSignatureDims; ++d)
            s.signature.v[d] = s.epochs == 1 ? sig.v[d] : s.signature.v[d] + kSignatureWeight * (sig.v[d] - s.signature.v[d]);
        if (s.epochs == kLookupAfterEpochs || change) s.lookup_due = true;
        unsigned ran = current_index(s);
        if (change) {
            ++s.phase_changes;
            if (s.mode == Mode::kElo) s.tournament.reopen(); else s.ucb1.reopen();
        }
        if (s.lookup_due && !(s.mode == Mode::kElo && s.tournament.in_match())) consult_playbook(s);
        if (s.mode == Mode::kElo) s.tournament.on_epoch(cost); else s.ucb1.on_epoch(cost);
        flush = s.config.flush_every != 0 && s.epochs % s.config.flush_every == 0 && record_results(s);
        playbook = s.config.playbook;
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
    // File I/O (under the playbook's own lock, which nothing else here takes).
    if (flush) playbook_flush(playbook);
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
    static char playbook[4096];
    if (mode == Mode::kElo && playbook_default_path(playbook, sizeof playbook)) {
        playbook_load(playbook);
        config.playbook = playbook;
    }
    learner_start(mode, config, os::now_ms());
    // The learner needs the background thread even in a program that frees
    // little: let the next safe point start it.
    os::background_want_thread();
}

void learner_save() {
    const char* playbook = nullptr;
    {
        os::LockGuard guard(g_lock);
        if (record_results(g_state) || playbook_pending() > 0) playbook = g_state.config.playbook;
    }
    if (playbook != nullptr) playbook_flush(playbook);
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
    info.playbook_suggestions = s.suggestions;
    info.playbook_crowns = s.crowns;
    info.playbook_at_start = s.playbook_at_start;
    if (s.mode == Mode::kOff) return info;
    const Population& pop = population(s);
    info.matches = s.mode == Mode::kElo ? s.tournament.matches() : s.ucb1.pulls();
    info.champion_changes = s.mode == Mode::kElo ? s.tournament.champion_changes() : s.ucb1.switches();
    info.extensions = s.mode == Mode::kElo ? s.tournament.extensions() : 0;
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

void learner_history_each(uint64_t through, void (*fn)(const EpochRecord&, void*), void* context) {
    os::LockGuard guard(g_lock);
    const State& s = g_state;
    // history_count counts the epochs (both restart at learner_start).
    uint64_t end = s.history_count < through ? s.history_count : through;
    // Older than the last kHistory epochs are overwritten.
    uint64_t begin = s.history_count > kHistory ? s.history_count - kHistory : 0;
    for (uint64_t i = begin; i < end; ++i) fn(s.history[i % kHistory], context);
}

void learner_fork_prepare() { g_lock.lock(); }
void learner_fork_parent() { g_lock.unlock(); }
void learner_fork_child() { g_lock.reset_in_child(); }

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
