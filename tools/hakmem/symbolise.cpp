// Names for call sites: the file names a site by symbol+offset when the
// dynamic symbol table had one, else by module+offset; addr2line turns the
// latter into a function and a source line when the module is found and
// has the symbols.
#include <cxxabi.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "report.h"

namespace hakmem_tool {
namespace {

// The standard output of `argv`, or nothing when it cannot be run or fails.
std::optional<std::string> capture(const std::vector<std::string>& argv) {
    int out[2];
    if (pipe(out) != 0) return std::nullopt;
    pid_t pid = fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        std::freopen("/dev/null", "w", stderr);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(out[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, size_t(n));
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return text;
}

// The file of a module the report names: a path as is, a bare name (the
// main program, as the loader names it) searched in PATH.
std::optional<std::string> module_file(const std::string& module) {
    if (module.empty()) return std::nullopt;
    if (module.find('/') != std::string::npos)
        return access(module.c_str(), R_OK) == 0 ? std::optional(module) : std::nullopt;
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = (dir.empty() ? "." : dir) + "/" + module;
        if (access(candidate.c_str(), R_OK) == 0) return candidate;
    }
    return std::nullopt;
}

std::string demangle(const std::string& symbol) {
    int status = 0;
    char* d = abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status);
    if (status != 0 || d == nullptr) return symbol;
    std::string out = d;
    std::free(d);
    return out;
}

}  // namespace

// A readable name for a site: "symbol+0xoff" demangled; "module+0xoff"
// (no symbol in the dynamic table) through addr2line when the module's
// file is found and has the debug or symbol information; file:line as is.
std::string symbolise(const Json& site) {
    std::string location = site.str("location", site.str("site", "?"));
    std::string module = site.str("module");
    size_t plus = location.rfind("+0x");
    if (plus == std::string::npos) return location;
    std::string symbol = location.substr(0, plus);
    std::string base = module.substr(module.rfind('/') + 1);
    if (symbol != base && symbol != module) return demangle(symbol) + location.substr(plus);
    std::optional<std::string> file = module_file(module);
    if (!file) return location;
    std::optional<std::string> out = capture({"addr2line", "-f", "-C", "-e", *file, site.str("module_offset")});
    if (!out) return location;
    std::string function = out->substr(0, out->find('\n'));
    std::string line = out->size() > function.size() + 1 ? out->substr(function.size() + 1) : "";
    line = line.substr(0, line.find('\n'));
    if (function.empty() || function == "??") return location;
    std::string named = location + " (" + function;
    if (!line.empty() && line.rfind("??", 0) != 0) named += " at " + line;
    return named + ")";
}

}  // namespace hakmem_tool
