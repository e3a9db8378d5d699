// Starting one scenario process with a chosen LD_PRELOAD, collecting its
// output and its resource usage (wait4), with a timeout so a deadlocked
// allocator fails the run instead of hanging the suite.
#pragma once

#include <sys/resource.h>

#include <string>
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
};

// Runs argv[0] with argv. `preload` empty runs with LD_PRELOAD removed from
// the environment (glibc); otherwise LD_PRELOAD=preload.
// Seconds on the monotonic clock (for wall times and progress).
double now_s();

ChildResult run_child(const std::vector<std::string>& argv, const std::string& preload, double timeout_s);

// Full path of an executable found in $PATH, or empty.
std::string find_program(const std::string& name);

}  // namespace hakbench
