// ratio.svg: clustered bars of each allocator's median ns/op relative to the
// baseline, one cluster per scenario, drawn by gnuplot from ratio.dat.
#include <algorithm>
#include <cmath>
#include <fstream>

#include "spawn.h"
#include "writers.h"

namespace hakbench {

std::string write_plot(const Report& r, const std::string& dir, std::string* error) {
  const std::string gnuplot = find_program("gnuplot");
  if (gnuplot.empty()) {
    if (error) *error = "gnuplot not found; install it with: sudo apt-get install -y gnuplot-nox";
    return "";
  }
  const std::string dat = dir + "/ratio.dat";
  const std::string svg = dir + "/ratio.svg";
  {
    std::ofstream f(dat);
    f << "scenario";
    for (const auto& a : r.allocators) f << " " << a;
    f << "\n";
    for (size_t s = 0; s < r.scenarios.size(); ++s) {
      f << r.scenarios[s];
      for (size_t a = 0; a < r.allocators.size(); ++a) {
        const double v = r.cell(s, a).ratio[kNsPerOp];
        f << " " << (std::isnan(v) ? std::string("?") : format_ratio(v));
      }
      f << "\n";
    }
    if (!f) {
      if (error) *error = "cannot write " + dat;
      return "";
    }
  }
  // Log scale: 0.5x and 2x are the same distance from the baseline, and one
  // slow outlier does not flatten every other bar. Bars grow from the bottom
  // edge, so it is a power of two below the smallest ratio (at most 0.5).
  double lowest = 0.5;
  for (const Cell& c : r.cells)
    if (!std::isnan(c.ratio[kNsPerOp]) && c.ratio[kNsPerOp] > 0) lowest = std::min(lowest, c.ratio[kNsPerOp]);
  const double bottom = std::exp2(std::floor(std::log2(lowest)) - 1);
  // Horizontal labels: rotated text is drawn inconsistently by SVG viewers.
  const std::string script =
      "set terminal svg size 1400,600 dynamic background rgb 'white' font 'sans,12';"
      "set output '" + svg + "';"
      "set title 'hakmem-bench " + r.meta.size + ": median ns/op relative to " + r.meta.baseline +
      " (lower is better)' noenhanced;"
      "set datafile missing '?';"
      "set style data histograms; set style histogram clustered gap 1;"
      "set style fill solid 0.85 border -1; set boxwidth 0.9;"
      "set logscale y 2; set yrange [" + std::to_string(bottom) + ":*]; set ylabel 'ratio to " +
      r.meta.baseline + "';"
      "set grid ytics; set xtics nomirror scale 0 font ',10' noenhanced; set key outside right top noenhanced;"
      "set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb 'black';"
      "plot for [i=2:" + std::to_string(r.allocators.size() + 1) + "] '" + dat +
      "' using i:xtic(1) title columnheader(i)";
  const ChildResult res = run_child({gnuplot, "-e", script}, "", 60);
  if (!res.started || res.exit_code != 0) {
    if (error) *error = "gnuplot failed: " + (res.error.empty() ? res.err : res.error);
    return "";
  }
  return svg;
}

}  // namespace hakbench
