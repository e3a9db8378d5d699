#include "learn/learner_report.h"

#include <cstddef>
#include <cstring>

#include "hakmem/hakmem.h"
#include "learn/learner.h"
#include "os/os_print.h"
#include "telemetry/json_file.h"

namespace hakmem {
namespace {

constexpr const char* kModeNames[] = {"off", "elo", "ucb1"};

const char* mode_name(learn::Mode m) {
    auto i = static_cast<unsigned>(m);
    return i < 3 ? kModeNames[i] : "?";
}

// A strategy as the few knobs that differ from the default, e.g.
// "purge_delay_ms=10 large_cache_max=268435456" ("default" when none).
void describe(const StrategyValues& s, const StrategyValues& d, char* out, size_t size) {
    size_t len = 0;
    out[0] = '\0';
    auto append = [&](const char* name, unsigned long long value) {
        if (len + 1 >= size) return;
        int n = snprintf(out + len, size - len, "%s%s=%llu", len ? " " : "", name, value);
        if (n > 0) len += static_cast<size_t>(n) < size - len ? static_cast<size_t>(n) : size - len - 1;
    };
#define HAKMEM_DESCRIBE(type, name, ...) \
    if (s.name != d.name) append(#name, static_cast<unsigned long long>(s.name));
    HAKMEM_STRATEGY_FIELDS(HAKMEM_DESCRIBE)
#undef HAKMEM_DESCRIBE
    if (len == 0) snprintf(out, size, "default");
}

}  // namespace

int learner_export(hak_learner_stats* out) {
    if (out == nullptr || out->struct_size < sizeof(size_t)) return HAK_E_INVALID;
    size_t size = out->struct_size;
    learn::LearnerInfo info = learn::learner_info();
    hak_learner_stats_t s{};
    s.struct_size = size < sizeof s ? size : sizeof s;
    s.mode = static_cast<uint32_t>(info.mode);
    s.frozen = info.frozen;
    s.epochs = info.epochs;
    s.matches = info.matches;
    s.switches = info.switches;
    s.champion_changes = info.champion_changes;
    s.phase_changes = info.phase_changes;
    s.cpu_ns = info.cpu_ns;
    s.champion = info.champion;
    s.current = info.current;
    s.candidates = info.candidates < HAK_LEARNER_MAX_CANDIDATES ? info.candidates : HAK_LEARNER_MAX_CANDIDATES;
    for (uint32_t i = 0; i < s.candidates; ++i) {
        const learn::LearnerCandidateInfo& c = info.candidate[i];
        hak_learner_candidate_t& o = s.candidate[i];
        o.rating = c.rating;
        o.wins = c.wins, o.losses = c.losses, o.draws = c.draws;
        o.is_default = c.is_default;
        o.strategy.struct_size = sizeof o.strategy;
        strategy_export(c.strategy, &o.strategy);
    }
    // Only as far as the caller's struct reaches (a client built against an
    // older header has a shorter one).
    memcpy(out, &s, s.struct_size);
    out->struct_size = size;
    return HAK_OK;
}

void learner_print(int fd) {
    learn::LearnerInfo info = learn::learner_info();
    if (info.mode == learn::Mode::kOff) return;
    os::print_to(fd, "hakmem learner: %s%s, %llu epochs, %llu %s, %llu switches, %llu phase changes, %.1f ms CPU\n",
                  mode_name(info.mode), info.frozen ? " (frozen by hak_set_strategy)" : "",
                  static_cast<unsigned long long>(info.epochs), static_cast<unsigned long long>(info.matches),
                  info.mode == learn::Mode::kElo ? "matches" : "pulls",
                  static_cast<unsigned long long>(info.switches), static_cast<unsigned long long>(info.phase_changes),
                  static_cast<double>(info.cpu_ns) / 1e6);
    const StrategyValues& d = info.candidate[0].strategy;
    for (uint32_t i = 0; i < info.candidates; ++i) {
        const learn::LearnerCandidateInfo& c = info.candidate[i];
        char text[512];
        describe(c.strategy, d, text, sizeof text);
        os::print_to(fd, "hakmem learner: %s #%u rating %.0f  %u-%u-%u  %s\n", i == info.champion ? "*" : " ", i,
                      c.rating, c.wins, c.draws, c.losses, text);
    }
}

void learner_write_json(JsonFile& j) {
    learn::LearnerInfo info = learn::learner_info();
    j.format("  \"learner\": {\"mode\": \"%s\", \"frozen\": %s, ", mode_name(info.mode), info.frozen ? "true" : "false");
    j.field("epochs", info.epochs);
    j.field("matches", info.matches);
    j.field("switches", info.switches);
    j.field("champion_changes", info.champion_changes);
    j.field("extensions", info.extensions);
    j.field("phase_changes", info.phase_changes);
    j.field("playbook_suggestions", info.playbook_suggestions);
    j.field("playbook_crowns", info.playbook_crowns);
    j.field("playbook_at_start", info.playbook_at_start);
    j.field("cpu_ns", info.cpu_ns);
    j.field("champion", info.champion);
    j.raw("\n    \"candidates\": [");
    for (uint32_t i = 0; i < info.candidates; ++i) {
        const learn::LearnerCandidateInfo& c = info.candidate[i];
        j.format("%s\n      {\"rating\": %.1f, \"wins\": %u, \"losses\": %u, \"draws\": %u, \"default\": %s, \"strategy\": {",
                 i ? "," : "", c.rating, c.wins, c.losses, c.draws, c.is_default ? "true" : "false");
        bool first = true;
#define HAKMEM_JSON_CANDIDATE(type, name, ...)                                                            \
        j.format("%s\"%s\": %llu", first ? "" : ", ", #name, static_cast<unsigned long long>(c.strategy.name)); \
        first = false;
        HAKMEM_STRATEGY_FIELDS(HAKMEM_JSON_CANDIDATE)
#undef HAKMEM_JSON_CANDIDATE
        j.raw("}}");
    }
    j.raw("],\n    \"history\": [");
    struct Writer {
        JsonFile* j;
        bool first;
    } w{&j, true};
    learn::learner_history_each(
        info.epochs,
        [](const learn::EpochRecord& r, void* context) {
            auto* w = static_cast<Writer*>(context);
            w->j->format("%s\n      {\"t_ms\": %llu, \"candidate\": %u, \"champion\": %u, \"match\": %u, \"change\": %u, "
                         "\"active\": %u, \"cpu_ns_per_alloc\": %.3f, \"faults_per_alloc\": %.6f, \"overhead_bytes\": %.0f}",
                         w->first ? "" : ",", static_cast<unsigned long long>(r.time_ms), r.candidate, r.champion,
                         r.in_match, r.phase_change, r.cost.active, r.cost.cpu, r.cost.faults, r.cost.memory);
            w->first = false;
        },
        &w);
    j.raw("]},\n");
}

}  // namespace hakmem
