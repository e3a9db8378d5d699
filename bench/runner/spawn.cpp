#include "spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace hakbench {

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

namespace {

// Reads what is available; returns false at EOF.
bool drain(int fd, std::string& into) {
  char buf[65536];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    into.append(buf, static_cast<size_t>(n));
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

// VmRSS of a running process in KiB from /proc/PID/statm (second field,
// pages), or 0 when it cannot be read (the process is gone or a zombie).
double resident_kb(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/statm", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long long size = 0, resident = 0;
  if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  static const double page_kb = static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1024.0;
  return static_cast<double>(resident) * page_kb;
}

}  // namespace

ChildResult run_child(const std::vector<std::string>& argv, const std::string& preload, double timeout_s) {
  ChildSpec spec;
  spec.argv = argv;
  spec.preload = preload;
  spec.timeout_s = timeout_s;
  return run_child(spec);
}

ChildResult run_child(const ChildSpec& spec) {
  ChildResult r;
  // Everything the child needs is built before fork: after fork in a
  // threaded parent only async-signal-safe calls are allowed.
  const std::string& prefix = spec.clear_env_prefix;
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "LD_PRELOAD=", 11) == 0) continue;
    if (!prefix.empty() && std::strncmp(*e, prefix.c_str(), prefix.size()) == 0) continue;
    env_strings.emplace_back(*e);
  }
  if (!spec.preload.empty()) env_strings.push_back("LD_PRELOAD=" + spec.preload);
  for (const auto& [name, value] : spec.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = spec.argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  // exec_pipe closes on a successful exec: when sampling RSS, the parent
  // waits for that so no sample sees the forked copy of itself.
  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  const double start = now_s();
  const pid_t pid = ::fork();
  if (pid < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::execve(args[0], args.data(), envp.data());
    const char msg[] = "hakmem-bench: cannot execute the scenario program\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  r.started = true;
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);
  if (spec.rss_sample_ms > 0) {
    char c;
    while (::read(exec_pipe[0], &c, 1) < 0 && errno == EINTR) {
    }
  }
  ::close(exec_pipe[0]);

  const double sample_s = spec.rss_sample_ms * 1e-3;
  double next_sample = now_s();
  double rss_sum = 0;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    const double now = now_s();
    const double left = spec.timeout_s - (now - start);
    if (left <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (sample_s > 0 && now >= next_sample) {
      if (const double kb = resident_kb(pid); kb > 0) {
        rss_sum += kb;
        ++r.rss_samples;
      }
      next_sample += sample_s;
      if (next_sample < now) next_sample = now + sample_s;  // fell behind: skip, do not burst
    }
    // Sleep until output, the next sample or the deadline: ppoll's
    // nanosecond timeout, so sampling never spins on a sub-millisecond wait.
    double wait = left > 1.0 ? 1.0 : left;
    if (sample_s > 0 && next_sample - now < wait) wait = next_sample - now > 0 ? next_sample - now : 0;
    const timespec ts{static_cast<time_t>(wait), static_cast<long>((wait - static_cast<double>(static_cast<time_t>(wait))) * 1e9)};
    if (::ppoll(fds, 2, &ts, nullptr) < 0 && errno != EINTR) break;
    for (auto& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (!drain(f.fd, f.fd == out_pipe[0] ? r.out : r.err)) {
        f.fd = -1;
        --open_fds;
      }
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);

  int status = 0;
  while (::wait4(pid, &status, 0, &r.usage) < 0 && errno == EINTR) {
  }
  r.wall_s = now_s() - start;
  if (r.rss_samples > 0) r.mean_rss_kb = rss_sum / r.rss_samples;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    const std::string candidate = dirs.substr(start, colon - start) + "/" + name;
    if (colon > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return "";
}

}  // namespace hakbench
