// The headroom tables: per scenario the best fixed strategy against the
// default (composite and every part, median [min-max] over rounds, then
// confirmed in fresh rounds, with the control's ratio as the noise floor),
// every candidate's composite per scenario, the default's own figures, and
// the grid itself. CSV for scripts.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "headroom.h"
#include "strategy_grid.h"
#include "writers.h"

namespace hakbench {

namespace {

std::string spread(const Summary& s) {
  if (s.count == 0) return "-";
  return format_ratio(s.median) + " [" + format_ratio(s.min) + "-" + format_ratio(s.max) + "]";
}

void header(const HeadroomReport& r, std::ostream& out) {
  const Meta& m = r.meta;
  out << "# hakmem-bench headroom, " << m.size << " run, " << m.date << "\n\n";
  out << "- machine: " << m.host << ", " << m.cpus << " CPUs, kernel " << m.kernel << ", THP " << m.thp << "\n";
  out << "- library: " << r.library << "\n";
  out << "- seed " << m.seed << ", threads " << m.threads << ", " << m.rounds
      << " rounds; a round runs the default, then two candidates, the default, two more ... "
         "(candidates rotated each round)\n";
  out << "- composite = " << kCpuWeight << " CPU (user+sys) + " << kFaultWeight << " minor faults + "
      << kMemoryWeight << " mean RSS (sampled every " << kHeadroomRssSampleMs
      << " ms), each the ratio to the mean of the two default runs around the candidate; "
         "median [min-max] over rounds; below 1 beats the default\n";
  out << "- noise floor: the control (the default run as a candidate) - its largest distance from 1 "
         "over the rounds; a best strategy counts only when its median gain exceeds it\n\n";
}

void best_table(const HeadroomReport& r, std::ostream& out) {
  const auto& grid = strategy_grid();
  out << "## Best fixed strategy per scenario\n\n"
         "`composite` and the parts come from the main rounds, where the best is the lowest of ~20 medians "
         "(biased low); `confirmed` is the same strategy measured again in fresh rounds (D B D): the figure "
         "to trust. `beyond noise`: the confirmed gain exceeds the control's noise floor.\n\n"
         "| scenario | best | composite | CPU | faults | mean RSS | peak RSS | won | confirmed | control | "
         "beyond noise |\n"
         "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const ScenarioHeadroom& h : r.results) {
    out << "| " << h.scenario << " | ";
    if (!h.best) {
      out << "- | | | | | | | | | |\n";
      continue;
    }
    const CandidateScore& b = h.scores[h.best];
    out << grid[h.best].name << " | " << spread(b.composite);
    for (int p = 0; p < kPartCount; ++p) out << " | " << spread(b.part[p]);
    out << " | " << b.wins << "/" << b.rounds << " | "
        << (h.confirmed_candidate == h.best ? spread(h.confirmed.composite) : std::string("-")) << " | "
        << (h.control ? spread(h.scores[h.control].composite) : std::string("-")) << " | "
        << (h.beyond_noise() ? "yes" : "no") << " |\n";
  }
  out << "\n";
}

// The confirmation rounds' parts: which part the best's gain comes from.
void confirmed_table(const HeadroomReport& r, std::ostream& out) {
  const auto& grid = strategy_grid();
  out << "## The best, confirmed (fresh D B D rounds)\n\n| scenario | best | composite | CPU | faults | mean RSS | "
         "peak RSS | won |\n|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const ScenarioHeadroom& h : r.results) {
    if (!h.confirmed_candidate) continue;
    const CandidateScore& c = h.confirmed;
    out << "| " << h.scenario << " | " << grid[h.confirmed_candidate].name << " | " << spread(c.composite);
    for (int p = 0; p < kPartCount; ++p) out << " | " << spread(c.part[p]);
    out << " | " << c.wins << "/" << c.rounds << " |\n";
  }
  out << "\n";
}

void matrix(const HeadroomReport& r, std::ostream& out) {
  const auto& grid = strategy_grid();
  out << "## Composite ratio of every strategy (median over rounds; * = the scenario's best)\n\n| strategy |";
  for (const auto& s : r.scenarios) out << " " << s << " |";
  out << "\n|---|";
  for (size_t s = 0; s < r.scenarios.size(); ++s) out << "---:|";
  out << "\n";
  for (size_t c = 1; c < grid.size(); ++c) {
    out << "| " << grid[c].name << " |";
    for (const ScenarioHeadroom& h : r.results) {
      const CandidateScore& s = h.scores[c];
      if (s.failed)
        out << " FAILED |";
      else
        out << " " << (s.rounds ? format_ratio(s.composite.median) : std::string("-")) << (h.best == c ? "*" : "")
            << " |";
    }
    out << "\n";
  }
  out << "\n";
}

void defaults(const HeadroomReport& r, std::ostream& out) {
  out << "## The default's own figures (median over its runs)\n\n"
         "| scenario | CPU s | minor faults | mean RSS MiB | peak RSS MiB | runs |\n|---|---:|---:|---:|---:|---:|\n";
  for (const ScenarioHeadroom& h : r.results) {
    const auto& d = h.default_value;
    out << "| " << h.scenario << " | " << format_number(d[kCpu].median) << " | " << format_number(d[kFaults].median)
        << " | " << format_number(d[kMeanRss].median / 1024) << " | " << format_number(d[kPeakRss].median / 1024)
        << " | " << d[kCpu].count << " |\n";
  }
  out << "\n";
}

void legend(std::ostream& out) {
  out << "## The strategies\n\n| strategy | settings | why |\n|---|---|---|\n";
  for (const Candidate& c : strategy_grid()) out << "| " << c.name << " | " << describe_env(c) << " | " << c.why << " |\n";
  out << "\n";
}

void failures(const HeadroomReport& r, std::ostream& out) {
  bool any = false;
  for (const HeadroomRun& run : r.runs) {
    if (run.m.ok) continue;
    if (!any) out << "## Failed runs\n\n";
    any = true;
    out << "- " << run.scenario << " / " << strategy_grid()[run.candidate].name
        << (run.confirm ? " confirmation" : "") << " round " << run.round << ": "
        << run.failure << "\n";
  }
  if (any) out << "\n";
}

std::string num(double v) {
  if (std::isnan(v)) return "";
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool save(const std::string& path, const std::string& text, std::string* error) {
  std::ofstream f(path);
  f << text;
  if (!f) {
    if (error) *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace

void write_headroom_markdown(const HeadroomReport& r, std::ostream& out) {
  header(r, out);
  best_table(r, out);
  confirmed_table(r, out);
  matrix(r, out);
  defaults(r, out);
  legend(out);
  failures(r, out);
}

bool write_headroom_csv(const HeadroomReport& r, const std::string& dir, std::string* error) {
  const auto& grid = strategy_grid();
  std::ostringstream summary;
  summary << "scenario,strategy,settings,is_best,is_control,failed,rounds,wins,composite_median,composite_min,"
             "composite_max";
  for (int p = 0; p < kPartCount; ++p)
    summary << "," << part_key(p) << "_ratio_median," << part_key(p) << "_ratio_min," << part_key(p) << "_ratio_max";
  summary << ",noise_floor,confirmed_rounds,confirmed_composite_median,confirmed_composite_min,"
             "confirmed_composite_max\n";
  for (const ScenarioHeadroom& h : r.results) {
    for (size_t c = 1; c < grid.size(); ++c) {
      const CandidateScore& s = h.scores[c];
      summary << quoted(h.scenario) << "," << quoted(grid[c].name) << "," << quoted(describe_env(grid[c])) << ","
              << (h.best == c ? 1 : 0) << "," << (grid[c].is_control ? 1 : 0) << "," << (s.failed ? 1 : 0) << ","
              << s.rounds << "," << s.wins << "," << num(s.composite.median) << "," << num(s.composite.min) << ","
              << num(s.composite.max);
      for (int p = 0; p < kPartCount; ++p)
        summary << "," << num(s.part[p].median) << "," << num(s.part[p].min) << "," << num(s.part[p].max);
      summary << "," << num(h.noise);
      if (h.confirmed_candidate == c)
        summary << "," << h.confirmed.rounds << "," << num(h.confirmed.composite.median) << ","
                << num(h.confirmed.composite.min) << "," << num(h.confirmed.composite.max) << "\n";
      else
        summary << ",0,,,\n";
    }
  }
  std::ostringstream runs;
  runs << "scenario,strategy,phase,round,position,ok,cpu_s,minor_faults,mean_rss_kb,rss_samples,peak_rss_kb,wall_s,"
          "failure\n";
  for (const HeadroomRun& run : r.runs)
    runs << quoted(run.scenario) << "," << quoted(grid[run.candidate].name) << ","
         << (run.confirm ? "confirm" : "main") << "," << run.round << ","
         << run.position << "," << (run.m.ok ? 1 : 0) << "," << num(run.m.cpu_s) << "," << num(run.m.faults) << ","
         << num(run.m.mean_rss_kb) << "," << run.rss_samples << "," << num(run.m.peak_rss_kb) << ","
         << num(run.wall_s) << "," << quoted(run.failure) << "\n";
  return save(dir + "/headroom.csv", summary.str(), error) && save(dir + "/headroom_runs.csv", runs.str(), error);
}

}  // namespace hakbench
