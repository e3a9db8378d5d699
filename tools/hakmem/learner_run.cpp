// The learner's part of a stats file, as src/learn/learner_report.cpp writes
// it: the counts, the candidates at exit and the last epochs (one record
// each: the candidate that ran, the champion after it, whether a match is
// on after it, the phase-change flag and the epoch's cost parts). From the
// history it derives the events a timeline shows: matches with their
// results, strategy switches outside matches, champion changes, phase
// changes. The A B B A switches inside a match are its own business and
// make no line of their own.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>

#include "report.h"

namespace hakmem_tool {
namespace {

bool number(const Json& o, const char* key, double* out) {
    const Json* v = o.get(key);
    if (v == nullptr || v->type != Json::Type::kNumber) return false;
    *out = v->number;
    return true;
}

bool read_candidate(const Json& c, LearnerCandidate* out) {
    const Json* strategy = c.get("strategy");
    double rating = 0;
    if (c.type != Json::Type::kObject || !number(c, "rating", &rating) || strategy == nullptr ||
        strategy->type != Json::Type::kObject)
        return false;
    out->rating = rating;
    out->wins = c.u64("wins");
    out->losses = c.u64("losses");
    out->draws = c.u64("draws");
    const Json* d = c.get("default");
    out->is_default = d != nullptr && d->boolean;
    for (const auto& [name, value] : strategy->object)
        if (value.type == Json::Type::kNumber) out->strategy.emplace_back(name, value.integer);
    return true;
}

bool read_epoch(const Json& e, size_t candidates, LearnerEpoch* out) {
    double t = 0, candidate = 0, champion = 0;
    if (e.type != Json::Type::kObject || !number(e, "t_ms", &t) || !number(e, "candidate", &candidate) ||
        !number(e, "champion", &champion) || candidate < 0 || champion < 0 || candidate >= double(candidates) ||
        champion >= double(candidates))
        return false;
    out->t_s = t / 1000;  // made relative to the first epoch by the caller
    out->candidate = static_cast<unsigned>(candidate);
    out->champion = static_cast<unsigned>(champion);
    out->in_match = e.u64("match") != 0;
    out->phase_change = e.u64("change") != 0;
    out->active = e.u64("active") != 0;
    number(e, "cpu_ns_per_alloc", &out->cpu_ns);
    number(e, "faults_per_alloc", &out->faults);
    number(e, "overhead_bytes", &out->overhead_bytes);
    return true;
}

// Walks the history once. `leader` is what the mode calls its champion.
void derive_events(LearnerRun* run) {
    const std::vector<LearnerEpoch>& h = run->history;
    const char* leader = run->elo() ? "champion" : "leader";
    std::map<size_t, LearnerEvent> at;  // epoch index -> its line
    auto add = [&](size_t i, LearnerEvent::Kind kind, const std::string& what) {
        LearnerEvent& e = at[i];
        e.epoch = i;
        e.what += (e.what.empty() ? "" : "; ") + what;
        e.kinds |= 1u << kind;
    };
    auto name = LearnerRun::name;
    // The match that is on (ELO): its first epoch, champion and challenger.
    bool in_match = false;
    size_t match_first = 0;
    unsigned match_champion = 0;
    int challenger = -1;
    size_t champion_changed_at = SIZE_MAX;
    for (size_t i = 0; i < h.size(); ++i) {
        const LearnerEpoch& r = h[i];
        if (i == 0) {
            std::string what = "first epoch in the file: " + name(r.candidate) + " ran, " + name(r.champion) + " is " + leader;
            if (run->elo() && r.in_match) {
                what += ", a match is on";
                in_match = true;
                match_first = 0;
                match_champion = r.champion;
                if (r.candidate != r.champion) challenger = int(r.candidate);
            }
            add(i, LearnerEvent::kStart, what);
        } else if (in_match) {
            if (challenger < 0 && r.candidate != match_champion) challenger = int(r.candidate);
            if (!r.in_match) {
                // This was the match's last epoch.
                char span[96];
                std::snprintf(span, sizeof span, "match over (epochs %llu-%llu): ",
                              static_cast<unsigned long long>(h[match_first].number),
                              static_cast<unsigned long long>(r.number));
                std::string who = challenger >= 0 ? name(unsigned(challenger)) : std::string("a challenger");
                std::string what = span + who + " challenged " + name(match_champion) + ", A B B A: ";
                if (r.champion != match_champion) {
                    what += name(r.champion) + " won and is champion";
                    champion_changed_at = i;
                } else {
                    what += name(match_champion) + " stays champion (" + who + " lost or drew)";
                }
                add(i, LearnerEvent::kMatch, what);
                in_match = false;
                challenger = -1;
            }
        } else {
            const LearnerEpoch& p = h[i - 1];
            // The new champion taking over after its win is part of that win
            // (UCB1's leader is only its favourite: its pulls are switches).
            bool takeover = run->elo() && champion_changed_at == i - 1 && r.candidate == r.champion;
            if (r.candidate != p.candidate && !takeover) add(i, LearnerEvent::kSwitch, "switch to " + name(r.candidate));
            if (r.champion != p.champion) {
                add(i, LearnerEvent::kChampion, name(r.champion) + " is " + leader + " (was " + name(p.champion) + ")");
                champion_changed_at = i;
            }
        }
        if (run->elo() && !in_match && r.in_match && i > 0) {
            // The match starts with the next epoch.
            in_match = true;
            match_first = std::min(i + 1, h.size() - 1);
            match_champion = r.champion;
            challenger = -1;
        }
        if (r.phase_change) add(i, LearnerEvent::kPhaseChange, "phase change detected");
    }
    if (in_match && !h.empty()) {
        std::string who = challenger >= 0 ? name(unsigned(challenger)) + " against " : std::string("against ");
        add(h.size() - 1, LearnerEvent::kMatch, "a match still on at exit: " + who + name(match_champion));
    }
    for (auto& [i, e] : at) run->events.push_back(std::move(e));
}

}  // namespace

std::string LearnerRun::name(unsigned candidate) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "#%u", candidate);
    return buf;
}

std::string LearnerRun::describe(unsigned candidate) const {
    const LearnerCandidate* base = nullptr;
    for (const LearnerCandidate& c : candidates)
        if (c.is_default) base = &c;
    const LearnerCandidate& c = candidates.at(candidate);
    if (&c == base) return "default";
    std::string out;
    for (const auto& [knob, value] : c.strategy) {
        bool same = false;
        if (base != nullptr)
            for (const auto& [k, v] : base->strategy) same = same || (k == knob && v == value);
        if (!same) out += (out.empty() ? "" : " ") + knob + "=" + std::to_string(value);
    }
    return out.empty() ? "default" : out;
}

bool read_learner_run(const Json& root, LearnerRun* out, std::string* error) {
    error->clear();
    const Json* l = root.get("learner");
    if (l == nullptr) return false;
    if (l->type != Json::Type::kObject || l->str("mode").empty()) {
        *error = "its learner object has no mode";
        return false;
    }
    if (l->str("mode") == "off") return false;
    LearnerRun run;
    run.mode = l->str("mode");
    const Json* frozen = l->get("frozen");
    run.frozen = frozen != nullptr && frozen->boolean;
    run.epochs = l->u64("epochs");
    run.matches = l->u64("matches");
    run.switches = l->u64("switches");
    run.champion_changes = l->u64("champion_changes");
    run.phase_changes = l->u64("phase_changes");
    run.cpu_ns = l->u64("cpu_ns");
    run.champion = static_cast<unsigned>(l->u64("champion"));
    const Json* candidates = l->get("candidates");
    const Json* history = l->get("history");
    if (candidates == nullptr || candidates->type != Json::Type::kArray || history == nullptr ||
        history->type != Json::Type::kArray) {
        *error = "its learner object has no candidates or no history";
        return false;
    }
    for (size_t i = 0; i < candidates->array.size(); ++i) {
        run.candidates.emplace_back();
        if (!read_candidate(candidates->array[i], &run.candidates.back())) {
            *error = "learner candidate " + std::to_string(i) + " has no rating or strategy";
            return false;
        }
    }
    if (!run.candidates.empty() && run.champion >= run.candidates.size()) {
        *error = "the learner's champion #" + std::to_string(run.champion) + " is not among its candidates";
        return false;
    }
    size_t n = history->array.size();
    uint64_t first = run.epochs >= n ? run.epochs - n + 1 : 1;
    for (size_t i = 0; i < n; ++i) {
        LearnerEpoch e;
        if (!read_epoch(history->array[i], run.candidates.size(), &e)) {
            *error = "learner history entry " + std::to_string(i) +
                     " lacks t_ms, candidate or champion, or names a candidate that is not listed";
            return false;
        }
        e.number = first + i;
        run.history.push_back(e);
    }
    if (!run.history.empty()) {
        std::vector<double> gaps;
        for (size_t i = 1; i < n; ++i) gaps.push_back((run.history[i].t_s - run.history[i - 1].t_s) * 1000);
        double t0 = run.history[0].t_s;
        for (LearnerEpoch& e : run.history) e.t_s -= t0;
        if (!gaps.empty()) {
            std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
            run.epoch_ms = gaps[gaps.size() / 2];
        }
    }
    derive_events(&run);
    *out = std::move(run);
    return true;
}

}  // namespace hakmem_tool
