// elo-<scenario>.svg: ELO's cost over time on one run, from the history in
// its HAKMEM_STATS_JSON file, drawn by gnuplot. Top: the epoch's composite
// cost (each part divided by its median over the run, weighted like the
// learner's score), strategy switches as vertical lines, detected phase
// changes as points. Bottom: which candidate ran and which was champion.
#include <algorithm>
#include <cmath>
#include <fstream>

#include "headroom_score.h"
#include "learner.h"
#include "spawn.h"

namespace hakbench {

namespace {

// The median of the positive values, else 0: a part the run never has (no
// faults at all) drops out of the composite.
double positive_median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !(x > 0); }), v.end());
  return v.empty() ? 0 : summarize(v).median;
}

// The composite of each epoch; NaN for none.
std::vector<double> epoch_composites(const std::vector<LearnerEpoch>& h) {
  std::vector<double> cpu, faults, mem;
  for (const LearnerEpoch& e : h) {
    cpu.push_back(e.cpu_ns_per_alloc);
    faults.push_back(e.faults_per_alloc);
    mem.push_back(e.overhead_bytes);
  }
  const double mc = positive_median(cpu), mf = positive_median(faults), mm = positive_median(mem);
  std::vector<double> out;
  for (const LearnerEpoch& e : h) {
    // An idle epoch has no per-allocation figures (both 0): its memory
    // alone, as the learner scores it.
    const bool active = e.cpu_ns_per_alloc > 0;
    double sum = 0, weight = 0;
    auto part = [&](double w, double value, double median) {
      if (median > 0) sum += w * value / median, weight += w;
    };
    if (active) part(kCpuWeight, e.cpu_ns_per_alloc, mc), part(kFaultWeight, e.faults_per_alloc, mf);
    part(kMemoryWeight, e.overhead_bytes, mm);
    out.push_back(weight > 0 ? sum / weight : std::nan(""));
  }
  return out;
}

const LearnerRun* first_elo_run(const LearnerReport& r, const std::string& scenario) {
  const LearnerRun* best = nullptr;
  for (const LearnerRun& lr : r.runs) {
    const LearnerVariant& v = r.variants[lr.run.candidate];
    if (lr.run.scenario != scenario || v.learn != "elo" || v.warm || !lr.run.m.ok || lr.trace.history.empty()) continue;
    // The first epoch length asked for (the variants' order), its first round.
    if (!best || lr.run.candidate < best->run.candidate ||
        (lr.run.candidate == best->run.candidate && lr.run.round < best->run.round))
      best = &lr;
  }
  return best;
}

bool plot_one(const LearnerRun& lr, const std::string& scenario, const std::string& gnuplot, const std::string& dir,
              const std::string& title, std::string* svg_out, std::string* error) {
  const auto& h = lr.trace.history;
  const std::vector<double> cost = epoch_composites(h);
  const std::string base = dir + "/elo-" + scenario;
  const double t0 = h.front().t_ms;
  std::string arrows;
  int max_candidate = 0, switches = 0;
  {
    std::ofstream f(base + ".dat");
    f << "# t_s composite candidate champion change\n";
    for (size_t i = 0; i < h.size(); ++i) {
      const double t = (h[i].t_ms - t0) / 1000.0;
      f << t << " " << (std::isnan(cost[i]) ? std::string("?") : std::to_string(cost[i])) << " " << h[i].candidate
        << " " << h[i].champion << " " << (h[i].change ? 1 : 0) << "\n";
      max_candidate = std::max({max_candidate, h[i].candidate, h[i].champion});
      if (i > 0 && h[i].candidate != h[i - 1].candidate && ++switches <= 400)
        arrows += "set arrow from " + std::to_string(t) + ", graph 0 to " + std::to_string(t) +
                  ", graph 1 nohead lc rgb '#d0a0a0' lw 0.5 back;\n";
    }
    if (!f) {
      if (error) *error = "cannot write " + base + ".dat";
      return false;
    }
  }
  const std::string svg = base + ".svg";
  const std::string dat = base + ".dat";
  std::ofstream s(base + ".gp");
  s << "set terminal svg size 1200,700 dynamic background rgb 'white' font 'sans,12'\n"
    << "set output '" << svg << "'\n"
    << "set datafile missing '?'\n"
    << "set multiplot title '" << title << "' noenhanced\n"
    << "set lmargin 12; set rmargin 4\n"
    << "set size 1,0.62; set origin 0,0.36\n"
    << "set logscale y; set ylabel 'composite (1 = run median)'; set grid ytics\n"
    << "set key top right noenhanced\n"
    << "set format x ''\n"
    << arrows
    << "plot '" << dat << "' using 1:2 with lines lc rgb '#1f5fa0' title 'epoch cost', "
    << "'' using 1:($5 > 0 ? $2 : 1/0) with points pt 7 ps 0.6 lc rgb '#e08000' title 'phase change detected', "
    << "1/0 with lines lc rgb '#d0a0a0' title 'strategy switch'\n"
    << "unset arrow; unset logscale y; set format x '%g'\n"
    << "set size 1,0.36; set origin 0,0\n"
    << "set xlabel 'seconds since the learner started'; set ylabel 'candidate'\n"
    << "set yrange [-0.5:" << max_candidate + 0.5 << "]; set ytics 1\n"
    << "plot '" << dat << "' using 1:3 with steps lc rgb '#1f5fa0' title 'running', "
    << "'' using 1:4 with steps dt 2 lw 2 lc rgb '#208020' title 'champion'\n"
    << "unset multiplot\n";
  s.close();
  const ChildResult res = run_child({gnuplot, base + ".gp"}, "", 60);
  if (!res.started || res.exit_code != 0) {
    if (error) *error = "gnuplot failed: " + (res.error.empty() ? res.err : res.error);
    return false;
  }
  *svg_out = svg;
  return true;
}

}  // namespace

bool write_learner_plots(LearnerReport& r, const std::string& dir, std::string* error) {
  const std::string gnuplot = find_program("gnuplot");
  if (gnuplot.empty()) {
    if (error) *error = "gnuplot not found; install it with: sudo apt-get install -y gnuplot-nox";
    return false;
  }
  bool ok = true;
  for (ScenarioLearner& s : r.results) {
    const LearnerRun* lr = first_elo_run(r, s.scenario);
    if (!lr) continue;
    const LearnerVariant& v = r.variants[lr->run.candidate];
    const std::string title = "hakmem " + s.scenario + ", HAKMEM_LEARN=elo, epoch " + std::to_string(v.epoch_ms) +
                              " ms, round " + std::to_string(lr->run.round) + ": " +
                              std::to_string(static_cast<long long>(lr->trace.switches)) + " switches";
    ok = plot_one(*lr, s.scenario, gnuplot, dir, title, &s.plot, error) && ok;
  }
  return ok;
}

}  // namespace hakbench
