// The --learner tables: per scenario the verdict (the learners against the
// best fixed strategy in hindsight and against the default), every
// variant's composite, the parts per scenario, the learners' own account
// and the default's own figures. CSV for scripts.
#include <cmath>
#include <cstdio>
#include <fstream>

#include "headroom.h"
#include "learner.h"

namespace hakbench {

namespace {

std::string f3(double v) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string pct(double v) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100 * v);
  return buf;
}

std::string spread(const Summary& s) {
  if (s.count == 0) return "-";
  return f3(s.median) + " [" + f3(s.min) + "-" + f3(s.max) + "]";
}

std::string counts(const Summary& s) {
  if (s.count == 0) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f [%.0f-%.0f]", s.median, s.min, s.max);
  return buf;
}

std::string share(const Summary& s) {
  if (s.count == 0) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f%% [%.3f-%.3f]", 100 * s.median, 100 * s.min, 100 * s.max);
  return buf;
}

const LearnerScore* find(const ScenarioLearner& s, const LearnerReport& r, const char* mode, int epoch_ms,
                         bool warm = false) {
  for (const LearnerScore& l : s.learners) {
    const LearnerVariant& v = r.variants[l.variant];
    if (v.learn == mode && v.epoch_ms == epoch_ms && v.warm == warm) return &l;
  }
  return nullptr;
}

// ELO's standing on one scenario, in the words of issue 10's goals.
std::string verdict(const ScenarioLearner& s, const LearnerScore& l) {
  if (std::isnan(l.regret)) return "failed";
  const double c = s.h.scores[l.variant].composite.median;
  std::string v;
  if (c < s.best_fixed_composite) v = "beats every fixed";
  else if (l.regret <= 0.02) v = "within 2% of the best";
  else v = pct(l.regret) + " behind the best";
  if (l.vs_default > 0.02) v += "; " + pct(l.vs_default) + " worse than the default";
  if (std::fabs(c - s.best_fixed_composite) <= s.noise && std::fabs(c - 1) <= s.noise) v += " (within noise)";
  return v;
}

void header(const LearnerReport& r, std::ostream& out) {
  const Meta& m = r.meta;
  out << "# hakmem-bench learner comparison, " << m.size << " run, " << m.date << "\n\n";
  out << "- machine: " << m.host << ", " << m.cpus << " CPUs, kernel " << m.kernel << ", THP " << m.thp << "\n";
  out << "- library: " << r.library << "\n";
  out << "- seed " << m.seed << ", " << m.rounds
      << " rounds; a round runs the default, four variants, the default, four more ... (rotated each round); "
         "json, vm and mixed one size up (quick -> full), the others at the size asked\n";
  out << "- composite = " << kCpuWeight << " CPU (user+sys) + " << kFaultWeight << " minor faults + "
      << kMemoryWeight << " mean RSS (sampled every " << kHeadroomRssSampleMs
      << " ms), each the ratio to the mean of the two default runs around the run; median [min-max] over "
         "rounds; below 1 beats the default\n";
  out << "- noise = the largest distance from 1 of the control (the default run again as a variant) over "
         "the rounds: gains, losses and regrets within it are not measured differences\n";
  out << "- regret = learner's median composite / best fixed strategy's - 1 (the best in hindsight, default "
         "included, is the lowest of several noisy medians: biased low); learner CPU = its own thread CPU "
         "(HAKMEM_STATS_JSON cpu_ns) / the process's user+sys\n";
  out << "- variants:";
  for (const LearnerVariant& v : r.variants) out << " `" << v.c.name << "` (" << describe_env(v.c) << ");";
  out << "\n\n";
}

void summary_table(const LearnerReport& r, std::ostream& out) {
  std::vector<int> epochs;
  for (const LearnerVariant& v : r.variants)
    if (v.learn == "elo" && !v.warm) epochs.push_back(v.epoch_ms);
  for (int ms : epochs) {
    out << "## Learners against the best fixed strategy (epoch " << ms << " ms)\n\n"
        << "| scenario | best fixed | its composite | noise | UCB1 | ELO | ELO+pb | UCB1 regret | ELO regret | "
           "ELO+pb regret | ELO CPU share | ELO | ELO+pb |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n";
    for (const ScenarioLearner& s : r.results) {
      const LearnerScore* u = find(s, r, "ucb1", ms);
      const LearnerScore* e = find(s, r, "elo", ms);
      const LearnerScore* w = find(s, r, "elo", ms, /*warm=*/true);
      auto composite = [&](const LearnerScore* l) { return l ? spread(s.h.scores[l->variant].composite) : "-"; };
      auto regret = [&](const LearnerScore* l) { return l ? pct(l->regret) : "-"; };
      out << "| " << s.scenario << " | " << r.variants[s.best_fixed].c.name << " | " << f3(s.best_fixed_composite)
          << " | " << f3(s.noise) << " | " << composite(u) << " | " << composite(e) << " | " << composite(w) << " | "
          << regret(u) << " | " << regret(e) << " | " << regret(w) << " | " << (e ? share(e->cpu_share) : "-")
          << " | " << (e ? verdict(s, *e) : "-") << " | " << (w ? verdict(s, *w) : "-") << " |\n";
    }
    out << "\n";
  }
}

void composite_table(const LearnerReport& r, std::ostream& out) {
  out << "## Composite per variant (median of paired ratios to the default)\n\n| scenario |";
  for (size_t v = 1; v < r.variants.size(); ++v) out << " " << r.variants[v].c.name << " |";
  out << "\n|---|";
  for (size_t v = 1; v < r.variants.size(); ++v) out << "---:|";
  out << "\n";
  for (const ScenarioLearner& s : r.results) {
    out << "| " << s.scenario << " |";
    for (size_t v = 1; v < r.variants.size(); ++v) {
      const CandidateScore& c = s.h.scores[v];
      const bool best = v == s.best_fixed;
      out << " " << (c.failed ? "FAILED" : (best ? "**" + f3(c.composite.median) + "**" : f3(c.composite.median)))
          << " |";
    }
    out << "\n";
  }
  out << "\nBold: the best fixed strategy of the scenario.\n\n";
}

void parts_tables(const LearnerReport& r, std::ostream& out) {
  out << "## Parts per scenario (median [min-max] of paired ratios)\n\n";
  for (const ScenarioLearner& s : r.results) {
    out << "### " << s.scenario << "\n\n| variant | composite | CPU | faults | mean RSS | peak RSS | won |\n"
        << "|---|---:|---:|---:|---:|---:|---:|\n";
    for (size_t v = 1; v < r.variants.size(); ++v) {
      const CandidateScore& c = s.h.scores[v];
      out << "| " << r.variants[v].c.name << " | " << spread(c.composite);
      for (int p = 0; p < kPartCount; ++p) out << " | " << spread(c.part[p]);
      out << " | " << c.wins << "/" << c.rounds << " |\n";
    }
    if (!s.plot.empty()) out << "\nELO's cost over time: " << s.plot << "\n";
    out << "\n";
  }
}

void learner_accounts(const LearnerReport& r, std::ostream& out) {
  out << "## The learners' own account (median [min-max] over rounds)\n\n"
      << "| scenario | learner | epochs | strategy switches | first change of champion, s (runs) | "
         "runs with a playbook suggestion / crowned | learner CPU / process CPU |\n|---|---|---:|---:|---:|---:|---:|\n";
  for (const ScenarioLearner& s : r.results)
    for (const LearnerScore& l : s.learners)
      out << "| " << s.scenario << " | " << r.variants[l.variant].c.name << " | " << counts(l.epochs) << " | "
          << counts(l.switches) << " | " << spread(l.first_title_s) << " (" << l.title_runs << "/" << l.runs
          << ") | " << l.suggested_runs << " / " << l.crowned_runs << " | " << share(l.cpu_share) << " |\n";
  out << "\n";
}

void default_table(const LearnerReport& r, std::ostream& out) {
  out << "## The default's own figures (median over its runs)\n\n| scenario | CPU s | minor faults | mean RSS MiB | "
         "peak RSS MiB |\n|---|---:|---:|---:|---:|\n";
  for (const ScenarioLearner& s : r.results) {
    const auto& d = s.h.default_value;
    out << "| " << s.scenario << " | " << f3(d[kCpu].median) << " | " << f3(d[kFaults].median) << " | "
        << f3(d[kMeanRss].median / 1024) << " | " << f3(d[kPeakRss].median / 1024) << " |\n";
  }
  out << "\n";
}

}  // namespace

void write_learner_markdown(const LearnerReport& r, std::ostream& out) {
  header(r, out);
  summary_table(r, out);
  composite_table(r, out);
  learner_accounts(r, out);
  default_table(r, out);
  parts_tables(r, out);
}

bool write_learner_csv(const LearnerReport& r, const std::string& dir, std::string* error) {
  {
    std::ofstream f(dir + "/learner.csv");
    f << "scenario,variant,learn,epoch_ms,rounds,failed,composite,composite_min,composite_max";
    for (int p = 0; p < kPartCount; ++p) f << "," << part_key(p);
    f << ",regret,cpu_share\n";
    for (const ScenarioLearner& s : r.results) {
      for (size_t v = 1; v < r.variants.size(); ++v) {
        const CandidateScore& c = s.h.scores[v];
        f << s.scenario << "," << r.variants[v].c.name << "," << r.variants[v].learn << "," << r.variants[v].epoch_ms
          << "," << c.rounds << "," << (c.failed ? 1 : 0) << "," << f3(c.composite.median) << ","
          << f3(c.composite.min) << "," << f3(c.composite.max);
        for (int p = 0; p < kPartCount; ++p) f << "," << f3(c.part[p].median);
        const LearnerScore* l = nullptr;
        for (const LearnerScore& x : s.learners)
          if (x.variant == v) l = &x;
        f << "," << (l ? f3(l->regret) : "") << "," << (l && l->cpu_share.count ? f3(l->cpu_share.median) : "")
          << "\n";
      }
    }
    if (!f) {
      if (error) *error = "cannot write " + dir + "/learner.csv";
      return false;
    }
  }
  std::ofstream f(dir + "/learner_runs.csv");
  f << "scenario,variant,round,position,ok,cpu_s,faults,mean_rss_kb,peak_rss_kb,wall_s,rss_samples,"
       "learner_cpu_ns,epochs,switches,stats_json,failure\n";
  for (const LearnerRun& lr : r.runs) {
    const HeadroomRun& x = lr.run;
    f << x.scenario << "," << r.variants[x.candidate].c.name << "," << x.round << "," << x.position << ","
      << (x.m.ok ? 1 : 0) << "," << x.m.cpu_s << "," << x.m.faults << "," << x.m.mean_rss_kb << ","
      << x.m.peak_rss_kb << "," << x.wall_s << "," << x.rss_samples << ","
      << (lr.trace.found ? std::to_string(static_cast<long long>(lr.trace.cpu_ns)) : "") << ","
      << (lr.trace.found ? std::to_string(static_cast<long long>(lr.trace.epochs)) : "") << ","
      << (lr.trace.found ? std::to_string(static_cast<long long>(lr.trace.switches)) : "") << "," << lr.stats_json
      << ",\"" << x.failure << "\"\n";
  }
  if (!f) {
    if (error) *error = "cannot write " + dir + "/learner_runs.csv";
    return false;
  }
  return true;
}

}  // namespace hakbench
