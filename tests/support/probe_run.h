// Runs a small probe program in a fresh process (so hakmem reads its
// options anew) with the test's environment minus every HAKMEM_* variable,
// plus the assignments given, and collects what it printed: stdout lines
// of the form key=value, and stderr.
#ifndef HAKMEM_PROBE_RUN_H
#define HAKMEM_PROBE_RUN_H

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "hakmem_test_support.h"

extern char** environ;

namespace hakt {

struct ProbeRun {
    std::map<std::string, std::string> fields;  // the probe's stdout, key=value
    std::string err;
    int status = -1;  // from waitpid; -1 when the probe could not be started
};

inline std::string ReadAllAndClose(int fd) {
    std::string text;
    char buf[1024];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
    close(fd);
    return text;
}

inline ProbeRun RunProbe(const std::string& probe, const std::vector<std::string>& extra_env) {
    ProbeRun run;
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return run;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<std::string> strings;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "HAKMEM_", 7) != 0) strings.emplace_back(*e);
    strings.insert(strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> env;
    for (auto& s : strings) env.push_back(s.data());
    env.push_back(nullptr);
    std::string path = probe;
    char* argv[] = {path.data(), nullptr};
    pid_t pid;
    int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        return run;
    }
    std::string text = ReadAllAndClose(out[0]);
    run.err = ReadAllAndClose(err[0]);
    waitpid(pid, &run.status, 0);
    for (const std::string& line : Lines(text)) {
        size_t eq = line.find('=');
        if (eq != std::string::npos) run.fields[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return run;
}

}  // namespace hakt

#endif  // HAKMEM_PROBE_RUN_H
