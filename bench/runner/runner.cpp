#include "runner.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>

#include "allocators.h"
#include "spawn.h"

namespace hakbench {

namespace {

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

// The last lines of a child's stderr, indented, for a failure report.
std::string tail_lines(const std::string& text, size_t lines) {
  std::vector<std::string> all;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "    | " + all[i] + "\n";
  return out;
}

void progress(size_t done, size_t total, double elapsed, const RunRecord& r, int rounds) {
  static const bool tty = ::isatty(STDERR_FILENO);
  char line[256];
  const int mins = static_cast<int>(elapsed) / 60, secs = static_cast<int>(elapsed) % 60;
  std::snprintf(line, sizeof line, "[%4zu/%zu %3d:%02d] %-13s %-9s round %d/%d  %s", done, total, mins, secs,
                r.scenario.c_str(), r.allocator.c_str(), r.round, rounds,
                r.ok ? (std::to_string(static_cast<long long>(r.values[kNsPerOp] + 0.5)) + " ns/op").c_str()
                     : "FAILED");
  if (tty)
    std::cerr << "\r" << line << "\033[K" << (done == total ? "\n" : "") << std::flush;
  else
    std::cerr << line << "\n";
}

}  // namespace

std::vector<std::string> scenario_argv(const std::string& exe, const Options& o, const std::string& scenario) {
  std::vector<std::string> argv = {exe,      "--scenario", scenario, "--size", run_size_name(o.size), "--seed",
                                   std::to_string(o.seed), "--threads", std::to_string(o.threads)};
  if (o.iterations) {
    argv.push_back("--iterations");
    argv.push_back(std::to_string(o.iterations));
  }
  return argv;
}

double timeout_for(const Options& o) {
  if (o.timeout_s > 0) return o.timeout_s;
  // Generous: a run takes under a second in quick mode; the limit only
  // exists to turn a deadlock into a failure.
  return o.size == RunSize::kFull ? 1800 : 120;
}

RunRecord judge_run(const std::string& scenario, const Target& target, int round, const ChildResult& child,
                    const std::string& expected_checksum) {
  RunRecord r;
  r.scenario = scenario;
  r.allocator = target.name;
  r.round = round;
  r.wall_s = child.wall_s;
  auto fail = [&](const std::string& why) {
    r.ok = false;
    r.failure = why;
    return r;
  };
  if (!child.started) return fail("could not start the scenario: " + child.error);
  if (child.timed_out) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "timed out after %.1f s (killed)", child.wall_s);
    return fail(buf);
  }
  if (child.signal != 0)
    return fail("killed by signal " + std::to_string(child.signal) + " (" + strsignal(child.signal) + ")");

  std::string parse_error;
  const auto parsed = parse_result_line(child.out, &parse_error);
  if (parsed) r.result = *parsed;
  if (child.exit_code == 3 || (parsed && !parsed->verified))
    return fail("data verification FAILED: memory handed out by the allocator did not hold what was written");
  if (child.exit_code == 4) return fail("out of memory: the allocator returned NULL (exit status 4)");
  if (child.exit_code != 0) return fail("scenario exited with status " + std::to_string(child.exit_code));
  if (!parsed) return fail(parse_error);
  if (!malloc_lib_matches(target.preload, parsed->malloc_lib))
    return fail("malloc is served by " + parsed->malloc_lib + ", not by " +
                (target.preload.empty() ? std::string("glibc's libc.so.6") : target.preload) +
                ": LD_PRELOAD did not take effect");
  if (!expected_checksum.empty() && parsed->checksum != expected_checksum)
    return fail("checksum " + parsed->checksum + " differs from " + expected_checksum +
                " of an earlier run with the same seed");
  if (parsed->ops == 0) return fail("scenario reported zero operations");

  r.ok = true;
  r.values[kNsPerOp] = static_cast<double>(parsed->elapsed_ns) / static_cast<double>(parsed->ops);
  r.values[kUserS] = seconds(child.usage.ru_utime);
  r.values[kSysS] = seconds(child.usage.ru_stime);
  r.values[kPeakRssKb] = static_cast<double>(child.usage.ru_maxrss);  // KiB on Linux
  r.values[kMinorFaults] = static_cast<double>(child.usage.ru_minflt);
  return r;
}

std::vector<RunRecord> run_plan(const Plan& plan) {
  std::vector<RunRecord> records;
  const Options& o = plan.options;
  const size_t total = o.scenarios.size() * static_cast<size_t>(o.rounds) * plan.targets.size();
  const double start = now_s();
  const double timeout = timeout_for(o);
  size_t done = 0;
  for (const auto& scenario : o.scenarios) {
    // The checksum depends only on scenario and seed: every allocator and
    // every round must agree with the first successful run.
    std::string checksum;
    const auto argv = scenario_argv(plan.scenario_exe, o, scenario);
    for (int round = 1; round <= o.rounds; ++round) {
      for (const Target& t : plan.targets) {
        const ChildResult child = run_child(argv, t.preload, timeout);
        RunRecord r = judge_run(scenario, t, round, child, checksum);
        if (r.ok && checksum.empty()) checksum = r.result.checksum;
        progress(++done, total, now_s() - start, r, o.rounds);
        if (!r.ok) {
          std::cerr << "\nhakmem-bench: FAILED " << scenario << " under " << t.name << " (round " << round
                    << "): " << r.failure << "\n";
          if (!child.err.empty()) std::cerr << "  scenario stderr (last lines):\n" << tail_lines(child.err, 12);
        }
        records.push_back(std::move(r));
      }
    }
  }
  return records;
}

}  // namespace hakbench
