// The tables printed on stdout (and saved as summary.md): a ratio matrix to
// read at a glance, the medal count, then every figure with its spread.
#include <cmath>
#include <cstdio>

#include "writers.h"

namespace hakbench {

std::string format_number(double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  const double a = std::fabs(v);
  if (a >= 100 || a == std::floor(a))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (a >= 10)
    std::snprintf(buf, sizeof buf, "%.1f", v);
  else if (a >= 1)
    std::snprintf(buf, sizeof buf, "%.2f", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string format_ratio(double v) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

namespace {

// Values shown in the table's unit: RSS in MiB reads better than KiB.
double shown(int metric, double v) { return metric == kPeakRssKb ? v / 1024.0 : v; }
const char* shown_label(int metric) {
  return metric == kPeakRssKb ? "peak RSS MiB" : metric_info(metric).label;
}

void header(std::ostream& out, const Report& r) {
  const Meta& m = r.meta;
  out << "# hakmem-bench " << m.size << " run, " << m.date << "\n\n";
  out << "- machine: " << m.host << ", " << m.cpus << " CPUs, kernel " << m.kernel << ", THP " << m.thp
      << "\n";
  out << "- seed " << m.seed << "; rounds per scenario and allocator: " << m.rounds
      << " (interleaved A B C, A B C, ...); threads " << m.threads;
  if (m.iterations) out << ", iterations " << m.iterations;
  if (m.rounds < 5) out << " (fewer than 5 rounds: medians are rough)";
  out << "\n";
  out << "- ratios are median / " << m.baseline << "'s median (lower is better); "
      << "ranks are by median ns/op\n";
  for (const auto& [name, lib] : m.libraries)
    out << "- " << name << ": " << (lib.empty() ? "(nothing preloaded)" : lib) << "\n";
  for (const auto& s : m.skipped) out << "- skipped: " << s << "\n";
  out << "\n";
}

void ratio_matrix(std::ostream& out, const Report& r) {
  out << "## ns/op relative to " << r.meta.baseline << " (rank)\n\n| scenario |";
  for (const auto& a : r.allocators) out << " " << a << " |";
  out << "\n|---|";
  for (size_t a = 0; a < r.allocators.size(); ++a) out << "---:|";
  out << "\n";
  for (size_t s = 0; s < r.scenarios.size(); ++s) {
    out << "| " << r.scenarios[s] << " |";
    for (size_t a = 0; a < r.allocators.size(); ++a) {
      const Cell& c = r.cell(s, a);
      if (c.failed)
        out << " FAILED |";
      else if (!c.ran)
        out << " - |";
      else
        out << " " << format_ratio(c.ratio[kNsPerOp]) << " (" << c.rank << ") |";
    }
    out << "\n";
  }
  out << "\n";
}

void medals(std::ostream& out, const Report& r) {
  out << "## Medals (rank by median ns/op per scenario)\n\n| allocator | gold | silver | bronze |\n"
         "|---|---:|---:|---:|\n";
  for (const auto& m : r.medals)
    out << "| " << m.allocator << " | " << m.gold << " | " << m.silver << " | " << m.bronze << " |\n";
  out << "\n";
}

void details(std::ostream& out, const Report& r) {
  out << "## Details (median [min-max]; x = ratio to " << r.meta.baseline << ")\n\n| scenario | allocator |";
  for (int m = 0; m < kMetricCount; ++m) out << " " << shown_label(m) << " | x |";
  out << " rank |\n|---|---|";
  for (int m = 0; m < kMetricCount; ++m) out << "---:|---:|";
  out << "---:|\n";
  for (size_t s = 0; s < r.scenarios.size(); ++s) {
    for (size_t a = 0; a < r.allocators.size(); ++a) {
      const Cell& c = r.cell(s, a);
      if (!c.ran) continue;
      out << "| " << c.scenario << " | " << c.allocator << " |";
      if (c.failed) {
        for (int m = 0; m < kMetricCount; ++m) out << (m == 0 ? " FAILED | |" : " | |");
        out << " |\n";
        continue;
      }
      for (int m = 0; m < kMetricCount; ++m) {
        const Summary& v = c.metric[m];
        out << " " << format_number(shown(m, v.median));
        if (m == kNsPerOp)
          out << " [" << format_number(shown(m, v.min)) << "-" << format_number(shown(m, v.max)) << "]";
        out << " | " << format_ratio(c.ratio[m]) << " |";
      }
      out << " " << (c.rank ? std::to_string(c.rank) : "-") << " |\n";
    }
  }
  out << "\n";
}

// Scenario-specific figures (fragmentation's frag_ratio, longrun's drift...).
void figures(std::ostream& out, const Report& r) {
  bool any = false;
  for (const Cell& c : r.cells) any = any || !c.figures.empty();
  if (!any) return;
  out << "## Scenario figures (median)\n\n| scenario | figure |";
  for (const auto& a : r.allocators) out << " " << a << " |";
  out << "\n|---|---|";
  for (size_t a = 0; a < r.allocators.size(); ++a) out << "---:|";
  out << "\n";
  for (size_t s = 0; s < r.scenarios.size(); ++s) {
    // The figure names of the first allocator that reported any.
    const Cell* named = nullptr;
    for (size_t a = 0; a < r.allocators.size() && !named; ++a)
      if (!r.cell(s, a).figures.empty()) named = &r.cell(s, a);
    if (!named) continue;
    for (const auto& [name, unused] : named->figures) {
      if (name == "threads") continue;  // a setting, not a result
      out << "| " << r.scenarios[s] << " | " << name << " |";
      for (size_t a = 0; a < r.allocators.size(); ++a) {
        std::string text = "-";
        for (const auto& [n, v] : r.cell(s, a).figures)
          if (n == name) text = format_number(v.median);
        out << " " << text << " |";
      }
      out << "\n";
    }
  }
  out << "\n";
}

void failures(std::ostream& out, const Report& r) {
  bool any = false;
  for (const RunRecord& run : r.runs) {
    if (run.ok) continue;
    if (!any) out << "## Failed runs\n\n";
    any = true;
    out << "- " << run.scenario << " / " << run.allocator << " round " << run.round << ": " << run.failure
        << "\n";
  }
  if (any) out << "\n";
}

}  // namespace

void write_markdown(const Report& report, std::ostream& out) {
  header(out, report);
  ratio_matrix(out, report);
  medals(out, report);
  details(out, report);
  figures(out, report);
  failures(out, report);
}

}  // namespace hakbench
