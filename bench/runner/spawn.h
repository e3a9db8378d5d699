// Starting one scenario process with a chosen LD_PRELOAD, collecting its
// output and its resource usage (wait4), with a timeout so a deadlocked
// allocator fails the run instead of hanging the suite.
#pragma once

#include <sys/resource.h>

#include <string>
#include <utility>
#include <vector>

namespace hakbench {

struct ChildResult {
  bool started = false;
  int exit_code = -1;   // when exited normally
  int signal = 0;       // when killed by a signal
  bool timed_out = false;
  std::string out;      // stdout: the result line
  std::string err;      // stderr: diagnostics, shown when the run fails
  struct rusage usage{};
  double wall_s = 0;
  std::string error;    // why it could not be started
  // With ChildSpec::rss_sample_ms: the mean of VmRSS samples taken while
  // the child ran (after exec), in KiB, and how many; 0 samples: no mean.
  double mean_rss_kb = 0;
  int rss_samples = 0;
};

struct ChildSpec {
  std::vector<std::string> argv;
  std::string preload;  // empty: LD_PRELOAD removed (glibc)
  double timeout_s = 120;
  // Removes every inherited variable starting with this prefix (empty:
  // none), then adds `env`: how a fixed hakmem strategy reaches the child.
  std::string clear_env_prefix;
  std::vector<std::pair<std::string, std::string>> env;
  // > 0: sample the child's resident set every this many milliseconds,
  // from the parent (/proc/PID/statm), so the child runs unchanged.
  int rss_sample_ms = 0;
};

// Seconds on the monotonic clock (for wall times and progress).
double now_s();

// Runs argv[0] with argv. `preload` empty runs with LD_PRELOAD removed from
// the environment (glibc); otherwise LD_PRELOAD=preload.
ChildResult run_child(const std::vector<std::string>& argv, const std::string& preload, double timeout_s);
ChildResult run_child(const ChildSpec& spec);

// Full path of an executable found in $PATH, or empty.
std::string find_program(const std::string& name);

}  // namespace hakbench
