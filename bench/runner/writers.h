// Output formats of a Report: the markdown tables on stdout, CSV and JSON
// files for scripts, and the SVG plot of ratios.
#pragma once

#include <ostream>
#include <string>

#include "report.h"

namespace hakbench {

void write_markdown(const Report& report, std::ostream& out);

// summary.csv (one row per scenario and allocator) and runs.csv (one row per
// run) in dir. Returns false and sets *error on an I/O failure.
bool write_csv(const Report& report, const std::string& dir, std::string* error);

// results.json in dir: meta, runs, summary and medals.
bool write_json(const Report& report, const std::string& dir, std::string* error);

// ratio.dat and ratio.svg in dir, drawn by gnuplot. Returns the SVG path, or
// an empty string with *error saying why there is no plot (no gnuplot, ...).
std::string write_plot(const Report& report, const std::string& dir, std::string* error);

// Formatting shared by the writers.
std::string format_number(double v);  // 3 significant digits, "-" for NaN
std::string format_ratio(double v);   // "1.23", "-" for NaN
std::string csv_number(double v);     // full precision, empty for NaN
std::string csv_field(const std::string& s);  // quoted when it holds , " or a newline
bool save_text(const std::string& path, const std::string& text, std::string* error);

}  // namespace hakbench
