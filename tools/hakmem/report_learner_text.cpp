// The learner's part of the text report: one summary line, the candidates
// at exit, and the timeline of what happened (matches and their results,
// switches, champion and phase changes), one line per epoch at which
// something did. A long run's timeline keeps its beginning and its end; every
// epoch stays in the file, and --svg plots them all.
#include <algorithm>

#include "report.h"

namespace hakmem_tool {
namespace {

// Beyond this many lines the timeline shows its first and last halves: a
// person reads forty lines; a run with a thousand phase changes is
// summarised by its counts and its plot.
constexpr size_t kTimelineLines = 40;

std::string plural(uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

void candidates_table(const LearnerRun& run, std::string* out) {
    std::vector<uint64_t> ran(run.candidates.size(), 0);
    for (const LearnerEpoch& e : run.history) ++ran[e.candidate];
    const char* leader = run.elo() ? "champion" : "leader";
    appendf(out, "\n  Candidates at exit (* %s%s)\n", leader,
            run.elo() ? "; a slot culled during the run held other strategies before" : "");
    if (run.elo())
        appendf(out, "  %5s %7s %9s %7s  %s\n", "#", "rating", "W-D-L", "epochs", "strategy (what differs from the default)");
    else
        appendf(out, "  %5s %7s %7s  %s\n", "#", "reward", "epochs", "strategy (what differs from the default)");
    for (unsigned i = 0; i < run.candidates.size(); ++i) {
        const LearnerCandidate& c = run.candidates[i];
        const char* mark = i == run.champion ? "*" : " ";
        if (run.elo()) {
            std::string wdl = std::to_string(c.wins) + "-" + std::to_string(c.draws) + "-" + std::to_string(c.losses);
            appendf(out, "  %s%4u %7.0f %9s %7llu  %s\n", mark, i, c.rating, wdl.c_str(),
                    static_cast<unsigned long long>(ran[i]), run.describe(i).c_str());
        } else {
            appendf(out, "  %s%4u %7.0f %7llu  %s\n", mark, i, c.rating, static_cast<unsigned long long>(ran[i]),
                    run.describe(i).c_str());
        }
    }
    appendf(out, "  (epochs: how many of the file's epochs each ran; %s)\n",
            run.elo() ? "W-D-L: its matches won, drawn, lost as challenger or champion"
                      : "reward: its discounted mean cost saving x 1000, UCB1's measure");
}

void timeline(const LearnerRun& run, std::string* out) {
    if (run.history.empty()) {
        appendf(out, "\n  No epoch in the file's history (the program ended within the first epoch).\n");
        return;
    }
    appendf(out, "\n  Timeline (%s; time: seconds after the first of them ended)\n",
            run.history.size() < run.epochs ? ("the last " + plural(run.history.size(), "epoch", "epochs")).c_str()
                                            : "every epoch");
    appendf(out, "  %7s %9s  %s\n", "epoch", "time", "what happened");
    const std::vector<LearnerEvent>& ev = run.events;
    size_t head = ev.size() <= kTimelineLines ? ev.size() : kTimelineLines / 2;
    auto line = [&](const LearnerEvent& e) {
        const LearnerEpoch& r = run.history[e.epoch];
        appendf(out, "  %7llu %7.3f s  %s\n", static_cast<unsigned long long>(r.number), r.t_s, e.what.c_str());
    };
    for (size_t i = 0; i < head; ++i) line(ev[i]);
    if (head == ev.size()) return;
    size_t tail = kTimelineLines / 2;
    // What the left-out lines held, by kind.
    static const char* const kNames[LearnerEvent::kKinds][2] = {
        {"start", "starts"}, {"match result", "match results"}, {"switch", "switches"},
        {run.elo() ? "champion change" : "leader change", run.elo() ? "champion changes" : "leader changes"},
        {"phase change", "phase changes"}};
    uint64_t n[LearnerEvent::kKinds] = {};
    for (size_t i = head; i < ev.size() - tail; ++i)
        for (unsigned k = 0; k < LearnerEvent::kKinds; ++k) n[k] += (ev[i].kinds >> k) & 1;
    std::string held;
    for (unsigned k = 0; k < LearnerEvent::kKinds; ++k)
        if (n[k] > 0) held += (held.empty() ? "" : ", ") + plural(n[k], kNames[k][0], kNames[k][1]);
    appendf(out, "  %7s %9s  ... %zu more epochs left out: %s (every epoch is in the file; --svg plots them)\n", "...",
            "", ev.size() - head - tail, held.c_str());
    for (size_t i = ev.size() - tail; i < ev.size(); ++i) line(ev[i]);
}

}  // namespace

void learner_text(const LearnerRun& run, std::string* out) {
    const bool elo = run.elo();
    appendf(out, "\nLearner: %s, %s", run.mode.c_str(), plural(run.epochs, "epoch", "epochs").c_str());
    if (run.epoch_ms > 0) appendf(out, " of %.0f ms", run.epoch_ms);
    appendf(out, ", %s, %s, %s, %s; its own CPU time %s\n",
            plural(run.matches, elo ? "match" : "pull", elo ? "matches" : "pulls").c_str(),
            plural(run.champion_changes, elo ? "champion change" : "leader change",
                   elo ? "champion changes" : "leader changes").c_str(),
            plural(run.switches, "strategy switch", "strategy switches").c_str(),
            plural(run.phase_changes, "phase change", "phase changes").c_str(), duration_ns(double(run.cpu_ns)).c_str());
    if (!run.candidates.empty())
        appendf(out, "  %s at exit: #%u (%s)\n", elo ? "champion" : "leader", run.champion,
                run.describe(run.champion).c_str());
    if (run.frozen) appendf(out, "  stopped: the program installed a strategy itself (hak_set_strategy)\n");
    if (!run.candidates.empty()) candidates_table(run, out);
    timeline(run, out);
}

}  // namespace hakmem_tool
