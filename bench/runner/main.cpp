// hakmem-bench: compares allocators on the scenario suite.
//
//   options -> resolve allocators -> run_plan (one process per run)
//           -> aggregate -> markdown on stdout, CSV/JSON/SVG in the out dir
//
// --headroom instead runs hakmem alone under the fixed-strategy grid:
//   options -> run_headroom -> score_headroom -> headroom.md/.csv
//
// --learner runs hakmem alone with fixed strategies and with its learner:
//   options -> run_learner -> score_learner -> learner.md/.csv, elo-*.svg
//
// Exit status: 0 all runs passed; 1 a run failed (crash, verification,
// wrong allocator, timeout) or a requested allocator is unavailable;
// 2 bad command line.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "headroom.h"
#include "learner.h"
#include "machine.h"
#include "options.h"
#include "resolve.h"
#include "runner.h"
#include "spawn.h"
#include "strategy_grid.h"
#include "writers.h"

// Paths baked in by CMake (bench/runner/CMakeLists.txt).
#ifndef HAKMEM_BENCH_SCENARIO_EXE
#define HAKMEM_BENCH_SCENARIO_EXE ""
#endif
#ifndef HAKMEM_BENCH_HAKMEM_LIB
#define HAKMEM_BENCH_HAKMEM_LIB ""
#endif
#ifndef HAKMEM_BENCH_RESULTS_DIR
#define HAKMEM_BENCH_RESULTS_DIR "bench/results"
#endif
#ifndef HAKMEM_BENCH_MULTIARCH
#define HAKMEM_BENCH_MULTIARCH ""
#endif

namespace fs = std::filesystem;
using namespace hakbench;

namespace {

// The scenario program: $HAKMEM_BENCH_SCENARIO_EXE, the build's, or the one
// next to this executable (an installed or copied tree).
std::string scenario_exe() {
  if (const char* e = std::getenv("HAKMEM_BENCH_SCENARIO_EXE"); e && *e) return e;
  if (::access(HAKMEM_BENCH_SCENARIO_EXE, X_OK) == 0) return HAKMEM_BENCH_SCENARIO_EXE;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : (self.parent_path() / "hakmem-bench-scenario").string();
}

int list(const std::string& exe, const Resolution& res) {
  std::cout << "scenarios:\n" << std::flush;
  const ChildResult r = run_child({exe, "--list"}, "", 30);
  std::cout << r.out << "\nallocators:\n";
  for (const Target& t : res.targets)
    std::cout << "  " << t.name << "  " << (t.preload.empty() ? "(glibc, nothing preloaded)" : t.preload) << "\n";
  for (const auto& s : res.skipped) std::cout << "  unavailable: " << s << "\n";
  return 0;
}

// --out, else a fresh bench/results/<time>-<size>[-tag]/ (`latest` links to
// the newest once the run is done, see link_latest).
struct OutDir {
  fs::path path;
  std::string name;  // under the results directory, when not --out
  bool is_default = false;
};

std::optional<OutDir> make_out_dir(const Options& opt, const std::string& tag) {
  OutDir d;
  d.is_default = opt.out_dir.empty();
  d.name = timestamp_for_path() + "-" + run_size_name(opt.size) + tag;
  d.path = d.is_default ? fs::path(HAKMEM_BENCH_RESULTS_DIR) / d.name : fs::path(opt.out_dir);
  std::error_code ec;
  fs::create_directories(d.path, ec);
  if (ec) {
    std::cerr << "hakmem-bench: cannot create " << d.path << ": " << ec.message() << "\n";
    return std::nullopt;
  }
  return d;
}

void link_latest(const OutDir& d) {
  if (!d.is_default) return;
  std::error_code ec;
  const fs::path latest = fs::path(HAKMEM_BENCH_RESULTS_DIR) / "latest";
  fs::remove(latest, ec);
  fs::create_directory_symlink(d.name, latest, ec);
}

// The hakmem library the headroom and learner modes preload; false (after
// saying so) when it is not there.
bool library_found(const std::string& lib) {
  if (!lib.empty() && ::access(lib.c_str(), R_OK) == 0) return true;
  std::cerr << "hakmem-bench: hakmem library " << (lib.empty() ? "(none configured)" : lib)
            << " not found; build the hakmem target or pass --hakmem-lib PATH\n";
  return false;
}

// The settings and the machine a report's table header names.
void describe_run(const Options& opt, Meta* meta) {
  meta->size = run_size_name(opt.size);
  meta->rounds = opt.rounds;
  meta->seed = opt.seed;
  meta->threads = opt.threads;
  meta->iterations = opt.iterations;
  describe_machine(*meta);
}

int headroom(const std::string& exe, const Options& opt, const ResolveEnv& env) {
  const std::string lib = hakmem_library(opt, env);
  if (!library_found(lib)) return 1;
  const auto out = make_out_dir(opt, "-headroom");
  if (!out) return 1;
  HeadroomReport report;
  describe_run(opt, &report.meta);
  report.library = lib;
  std::cerr << "hakmem-bench: headroom " << report.meta.size << " run, " << opt.scenarios.size()
            << " scenarios x " << strategy_grid().size() << " strategies x " << opt.rounds << " rounds, seed "
            << opt.seed << "\n";
  // Written after every scenario (the scenarios done so far), then once more
  // at the end: a long run interrupted keeps what it finished.
  std::string error;
  auto save = [&](const std::vector<HeadroomRun>& runs, std::ostream* also) {
    report.runs = runs;
    report.scenarios.clear();
    for (const auto& s : opt.scenarios)
      for (const HeadroomRun& r : runs)
        if (r.scenario == s) {
          report.scenarios.push_back(s);
          break;
        }
    score_headroom(report);
    std::ostringstream md;
    write_headroom_markdown(report, md);
    if (also) *also << md.str() << std::flush;
    const bool ok = static_cast<bool>(std::ofstream(out->path / "headroom.md") << md.str());
    return write_headroom_csv(report, out->path.string(), &error) && ok;
  };
  const auto runs = run_headroom(exe, opt, lib, [&](const std::vector<HeadroomRun>& so_far) { save(so_far, nullptr); });
  const bool wrote = save(runs, &std::cout);
  if (!wrote) std::cerr << "hakmem-bench: " << (error.empty() ? "cannot write headroom.md" : error) << "\n";
  link_latest(*out);
  std::cerr << "hakmem-bench: results in " << out->path.string() << "\n";
  size_t failed = 0;
  for (const HeadroomRun& r : report.runs) failed += r.m.ok ? 0 : 1;
  if (failed) std::cerr << "hakmem-bench: " << failed << " run(s) FAILED (see above)\n";
  return failed || !wrote ? 1 : 0;
}

int learner(const std::string& exe, const Options& opt, const ResolveEnv& env) {
  const std::string lib = hakmem_library(opt, env);
  if (!library_found(lib)) return 1;
  const auto out = make_out_dir(opt, "-learner");
  if (!out) return 1;
  LearnerReport report;
  describe_run(opt, &report.meta);
  report.library = lib;
  report.scenarios = opt.scenarios;
  std::string unknown;
  report.variants = learner_variants(opt.learn_epoch_ms, opt.learner_fixed, &unknown);
  if (!unknown.empty()) {
    std::cerr << "hakmem-bench: unknown fixed strategy '" << unknown << "' (known:";
    for (const auto& n : learner_fixed_names()) std::cerr << " " << n;
    std::cerr << ")\n";
    return 2;
  }
  std::cerr << "hakmem-bench: learner " << report.meta.size << " run, " << opt.scenarios.size() << " scenarios x "
            << report.variants.size() << " variants x " << opt.rounds << " rounds, seed " << opt.seed << "\n";
  report.runs = run_learner(exe, opt, lib, report.variants, out->path.string());
  score_learner(report);
  std::string error;
  if (!write_learner_plots(report, out->path.string(), &error))
    std::cerr << "hakmem-bench: plots incomplete: " << error << "\n";

  std::ostringstream md;
  write_learner_markdown(report, md);
  std::cout << md.str() << std::flush;
  error.clear();
  bool wrote = static_cast<bool>(std::ofstream(out->path / "learner.md") << md.str());
  wrote = write_learner_csv(report, out->path.string(), &error) && wrote;
  if (!wrote) std::cerr << "hakmem-bench: " << (error.empty() ? "cannot write learner.md" : error) << "\n";
  link_latest(*out);
  std::cerr << "hakmem-bench: results in " << out->path.string() << "\n";
  size_t failed = 0;
  for (const LearnerRun& r : report.runs) failed += r.run.m.ok ? 0 : 1;
  if (failed) std::cerr << "hakmem-bench: " << failed << " run(s) FAILED (see above)\n";
  return failed || !wrote ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const ParseResult parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok()) {
    std::cerr << "hakmem-bench: " << parsed.error << "\n\n" << usage_text();
    return 2;
  }
  const Options& opt = parsed.options;
  if (opt.help) {
    std::cout << usage_text();
    return 0;
  }

  const std::string exe = scenario_exe();
  if (::access(exe.c_str(), X_OK) != 0) {
    std::cerr << "hakmem-bench: scenario program " << exe << " not found; build the hakmem-bench-scenario "
              << "target or set HAKMEM_BENCH_SCENARIO_EXE\n";
    return 1;
  }
  ResolveEnv env;
  env.multiarch = HAKMEM_BENCH_MULTIARCH;
  env.built_hakmem_lib = HAKMEM_BENCH_HAKMEM_LIB;
  env.built_hakmem_secure_lib = HAKMEM_BENCH_HAKMEM_SECURE_LIB;
  env.may_install = ::geteuid() == 0 && !opt.list && !opt.headroom && !opt.learner;
  if (opt.headroom && !opt.list) return headroom(exe, opt, env);
  if (opt.learner && !opt.list) return learner(exe, opt, env);
  const Resolution res = resolve_allocators(opt, env);
  if (opt.list) return list(exe, res);
  for (const auto& s : res.skipped) std::cerr << "hakmem-bench: skipping " << s << "\n";
  if (res.targets.empty()) {
    std::cerr << "hakmem-bench: no allocator available to run\n";
    return 1;
  }

  const auto out_dir = make_out_dir(opt, "");
  if (!out_dir) return 1;
  const fs::path& out = out_dir->path;

  Report report;
  report.meta.size = run_size_name(opt.size);
  report.meta.rounds = opt.rounds;
  report.meta.seed = opt.seed;
  report.meta.threads = opt.threads;
  report.meta.iterations = opt.iterations;
  report.meta.baseline = "mimalloc";
  report.meta.skipped = res.skipped;
  describe_machine(report.meta);
  for (const Target& t : res.targets) {
    report.allocators.push_back(t.name);
    report.meta.libraries.emplace_back(t.name, t.preload);
  }
  report.scenarios = opt.scenarios;
  std::cerr << "hakmem-bench: " << report.meta.size << " run, " << opt.scenarios.size() << " scenarios x "
            << res.targets.size() << " allocators x " << opt.rounds << " rounds, seed " << opt.seed << "\n";

  report.runs = run_plan(Plan{exe, opt, res.targets});
  aggregate(report);

  std::ostringstream md;
  write_markdown(report, md);
  std::cout << md.str() << std::flush;
  std::string error;
  bool wrote = static_cast<bool>(std::ofstream(out / "summary.md") << md.str());
  wrote = write_csv(report, out.string(), &error) && wrote;
  wrote = write_json(report, out.string(), &error) && wrote;
  if (!wrote) std::cerr << "hakmem-bench: " << (error.empty() ? "cannot write summary.md" : error) << "\n";
  const std::string svg = write_plot(report, out.string(), &error);
  if (svg.empty()) std::cerr << "hakmem-bench: no plot: " << error << "\n";
  link_latest(*out_dir);
  std::cerr << "hakmem-bench: results in " << out.string() << "\n";

  size_t failed = 0;
  for (const RunRecord& r : report.runs) failed += r.ok ? 0 : 1;
  if (failed) std::cerr << "hakmem-bench: " << failed << " run(s) FAILED (see above)\n";
  if (res.missing_requested) std::cerr << "hakmem-bench: a requested allocator was not available\n";
  return failed || res.missing_requested || !wrote ? 1 : 0;
}
