// `hakmem report`'s parts, grouped by the file that owns them. report.cpp
// reads the stats file into a ReportData once (sites symbolised, the
// learner's history decoded); the text, the plots and the HTML page are
// each drawn from it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "json.h"

namespace hakmem_tool {

// ---- report_format.cpp: numbers as a person reads them ---------------------
std::string bytes(uint64_t v);              // "4.4 GiB"
std::string count(uint64_t v);              // "1.7 M"; exact below 10000
std::string duration_ns(double ns);         // "22 ms"
void appendf(std::string* out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// ---- symbolise.cpp -----------------------------------------------------------
// A readable name for a site of the file: demangled symbol+offset, or
// module+offset with addr2line's function and line when it finds them.
std::string symbolise(const Json& site);

// ---- learner_run.cpp: the file's "learner" object ---------------------------
struct LearnerCandidate {
    double rating = 0;  // ELO rating; UCB1: its mean reward x 1000
    uint64_t wins = 0, losses = 0, draws = 0;
    bool is_default = false;
    std::vector<std::pair<std::string, uint64_t>> strategy;  // knob, value (the file's order is lost: by name)
};

struct LearnerEpoch {
    uint64_t number = 0;  // 1 = the learner's first epoch
    double t_s = 0;       // seconds after the first recorded epoch ended
    unsigned candidate = 0, champion = 0;
    bool in_match = false;  // a match is on after this epoch (ELO)
    bool phase_change = false;
    bool active = false;  // enough allocations for cpu and faults to count
    double cpu_ns = 0, faults = 0, overhead_bytes = 0;  // per allocation; bytes beyond live
};

// What happened at one epoch, for the timeline: several things at one epoch
// make one line.
struct LearnerEvent {
    enum Kind { kStart, kMatch, kSwitch, kChampion, kPhaseChange, kKinds };
    size_t epoch = 0;  // index into LearnerRun::history
    std::string what;
    unsigned kinds = 0;  // 1 << Kind of each thing in `what`
};

struct LearnerRun {
    std::string mode;  // "elo" or "ucb1"
    bool frozen = false;
    uint64_t epochs = 0, matches = 0, switches = 0, champion_changes = 0, phase_changes = 0, cpu_ns = 0;
    unsigned champion = 0;
    std::vector<LearnerCandidate> candidates;
    std::vector<LearnerEpoch> history;  // the last epochs, oldest first (the library keeps 1024)
    std::vector<LearnerEvent> events;
    double epoch_ms = 0;  // the median time between recorded epochs

    bool elo() const { return mode == "elo"; }
    // "#3": how the report names a candidate (its slot in the population).
    static std::string name(unsigned candidate);
    // A candidate's knobs that differ from the default candidate's, e.g.
    // "purge_delay_ms=1000" ("default" for the default itself).
    std::string describe(unsigned candidate) const;
};

// Reads root's "learner". Returns false, with `error` empty, when there is
// nothing to report (no learner object, or the learner was off); false with
// `error` set when the object is malformed.
bool read_learner_run(const Json& root, LearnerRun* out, std::string* error);

// ---- report.cpp: the file, read once -----------------------------------------
struct SiteRow {
    std::string name;  // symbolised
    uint64_t bytes = 0, allocs = 0, live_bytes = 0, peak_live_bytes = 0;
    uint64_t size_p50 = 0, size_p95 = 0, size_p99 = 0;
    uint64_t freed_samples = 0, life_p50_ns = 0, life_p95_ns = 0, life_p99_ns = 0;
};

struct ReportData {
    std::string file;
    const Json* root = nullptr;
    std::vector<SiteRow> top;  // the top sites by bytes, largest first
    size_t site_count = 0;     // all sites in the file
    bool has_learner = false;
    LearnerRun learner;
};

// ---- report_text.cpp ---------------------------------------------------------
// The whole text report: summary, strategy, top sites, the learner.
std::string report_text(const ReportData& d);

// ---- report_learner_text.cpp -------------------------------------------------
// The learner's summary, its candidates and its timeline (one line per epoch
// at which something happened; the middle of a long one left out).
void learner_text(const LearnerRun& run, std::string* out);

// ---- report_plots.cpp --------------------------------------------------------
struct Plot {
    std::string file;   // e.g. "sites_bytes.svg"
    std::string title;
    std::string svg;    // an <svg> element, no XML declaration
};
// The plots the data has: the sites' three when there are sites, the
// learner's cost over time when there is a history.
std::vector<Plot> report_plots(const ReportData& d);

// ---- report_html.cpp -----------------------------------------------------------
// One self-contained page: the text report and every plot inline.
std::string report_html(const ReportData& d, const std::string& text, const std::vector<Plot>& plots);

}  // namespace hakmem_tool
