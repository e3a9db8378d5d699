#include "headroom_score.h"

#include <cmath>
#include <limits>
#include <map>

#include "headroom_plan.h"

namespace hakbench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double part_value(const Measure& m, int part) {
  switch (part) {
    case kCpu: return m.cpu_s;
    case kFaults: return m.faults;
    case kMeanRss: return m.mean_rss_kb;
    default: return m.peak_rss_kb;
  }
}

}  // namespace

const char* part_label(int part) {
  static const char* const labels[kPartCount] = {"CPU", "faults", "mean RSS", "peak RSS"};
  return labels[part];
}

const char* part_key(int part) {
  static const char* const keys[kPartCount] = {"cpu", "faults", "mean_rss", "peak_rss"};
  return keys[part];
}

double composite_ratio(double cpu, double faults, double memory) {
  return kCpuWeight * cpu + kFaultWeight * faults + kMemoryWeight * memory;
}

PairedRatios paired_ratios(const Measure& c, const Measure& before, const Measure& after) {
  PairedRatios r;
  if (!c.ok || !before.ok || !after.ok) {
    r.part.fill(kNaN);
    r.composite = kNaN;
    return r;
  }
  for (int p = 0; p < kPartCount; ++p)
    r.part[p] = ratio(part_value(c, p), (part_value(before, p) + part_value(after, p)) / 2);
  const bool sampled = c.mean_rss_kb > 0 && before.mean_rss_kb > 0 && after.mean_rss_kb > 0;
  if (!sampled) r.part[kMeanRss] = r.part[kPeakRss];
  r.composite = composite_ratio(r.part[kCpu], r.part[kFaults], r.part[kMeanRss]);
  return r;
}

bool ScenarioHeadroom::beyond_noise() const {
  if (best == 0) return false;
  const Summary& gain = confirmed_candidate == best ? confirmed.composite : scores[best].composite;
  return gain.count > 0 && 1 - gain.median > noise;
}

namespace {

// Ratios per candidate and round, from the rounds of one phase (main or
// confirmation): each candidate against the default runs around it.
struct Collected {
  std::vector<std::vector<double>> composite;
  std::vector<std::array<std::vector<double>, kPartCount>> parts;
  std::vector<int> wins;
  std::vector<bool> failed;
};

Collected collect(const std::string& scenario, const std::vector<HeadroomRun>& runs, bool confirm, size_t n) {
  Collected out{std::vector<std::vector<double>>(n), std::vector<std::array<std::vector<double>, kPartCount>>(n),
                std::vector<int>(n, 0), std::vector<bool>(n, false)};
  std::map<int, std::map<size_t, const HeadroomRun*>> rounds;
  for (const HeadroomRun& r : runs)
    if (r.scenario == scenario && r.confirm == confirm) rounds[r.round][r.position] = &r;
  for (const auto& [round, by_pos] : rounds) {
    // Positions are 0..k-1 when the round completed; a gap (a run never
    // recorded) ends the usable part rather than mispairing.
    std::vector<size_t> order;
    std::vector<const HeadroomRun*> at;
    for (const auto& [pos, run] : by_pos) {
      if (pos != order.size()) break;
      order.push_back(run->candidate);
      at.push_back(run);
    }
    for (size_t i = 0; i < order.size(); ++i) {
      const size_t c = order[i];
      if (c == 0 || c >= n) continue;
      const Neighbours nb = default_neighbours(order, i);
      if (order[nb.before] != 0 || order[nb.after] != 0) {
        out.failed[c] = true;
        continue;
      }
      const PairedRatios pr = paired_ratios(at[i]->m, at[nb.before]->m, at[nb.after]->m);
      if (std::isnan(pr.composite)) {
        out.failed[c] = true;
        continue;
      }
      out.composite[c].push_back(pr.composite);
      for (int p = 0; p < kPartCount; ++p) out.parts[c][p].push_back(pr.part[p]);
      if (pr.composite < 1) ++out.wins[c];
    }
  }
  return out;
}

CandidateScore summarize_candidate(const Collected& col, size_t c) {
  CandidateScore s;
  s.failed = col.failed[c];
  s.wins = col.wins[c];
  s.rounds = static_cast<int>(col.composite[c].size());
  s.composite = summarize(col.composite[c]);
  for (int p = 0; p < kPartCount; ++p) s.part[p] = summarize(col.parts[c][p]);
  return s;
}

}  // namespace

ScenarioHeadroom score_scenario(const std::string& scenario, const std::vector<HeadroomRun>& runs,
                                const std::vector<bool>& is_control) {
  ScenarioHeadroom h;
  h.scenario = scenario;
  const size_t n = is_control.size();
  h.scores.resize(n);
  for (size_t i = 0; i < n; ++i)
    if (is_control[i]) h.control = i;

  std::array<std::vector<double>, kPartCount> defaults;
  for (const HeadroomRun& r : runs)
    if (r.scenario == scenario && !r.confirm && r.candidate == 0 && r.m.ok)
      for (int p = 0; p < kPartCount; ++p) defaults[p].push_back(part_value(r.m, p));
  for (int p = 0; p < kPartCount; ++p) h.default_value[p] = summarize(defaults[p]);

  const Collected main = collect(scenario, runs, false, n);
  double best = kNaN;
  for (size_t c = 1; c < n; ++c) {
    CandidateScore& s = h.scores[c] = summarize_candidate(main, c);
    if (is_control[c]) {
      for (double v : main.composite[c]) h.noise = std::fmax(h.noise, std::fabs(1 - v));
      continue;
    }
    if (s.failed || s.rounds == 0) continue;
    if (std::isnan(best) || s.composite.median < best) {
      best = s.composite.median;
      h.best = c;
    }
  }

  const Collected confirm = collect(scenario, runs, true, n);
  for (size_t c = 1; c < n; ++c) {
    if (confirm.composite[c].empty() && !confirm.failed[c]) continue;
    h.confirmed_candidate = c;
    h.confirmed = summarize_candidate(confirm, c);
  }
  return h;
}

}  // namespace hakbench
