// hakmem run: the program with the installed library preloaded and the
// options set, exec'd in place of this process, so its exit status, its
// signals and its output are its own.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "options_table.h"

namespace hakmem_tool {
namespace {

// Where this command finds the library: bin/ -> lib/ of the same install
// (HAKMEM_TOOL_LIBDIR_FROM_BINDIR, from CMake's install directories).
std::string self_directory() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return "";
    path[n] = 0;
    std::string p(path);
    return p.substr(0, p.rfind('/'));
}

std::string absolute(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == nullptr) return path;
    return std::string(cwd) + "/" + path;
}

// "VERBOSE" and "HAKMEM_VERBOSE" both name HAKMEM_VERBOSE.
std::string option_variable(const std::string& name) {
    return name.rfind("HAKMEM_", 0) == 0 ? name : "HAKMEM_" + name;
}

struct RunArgs {
    std::vector<std::pair<std::string, std::string>> env;  // in order; later ones win
    bool secure = false;
    std::string lib;  // --lib PATH
    int program = -1;  // index in argv
};

// Parses the options before the program. False after printing the error.
bool parse(int argc, char** argv, RunArgs* a) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char* what) -> const char* {
            if (i + 1 >= argc) {
                error_line("run: %s needs %s", arg.c_str(), what);
                return nullptr;
            }
            return argv[++i];
        };
        if (arg == "--") {
            a->program = i + 1;
            break;
        }
        if (arg == "--stats") {
            a->env.emplace_back("HAKMEM_SHOW_STATS", "1");
        } else if (arg == "--json") {
            const char* file = value("a file name");
            if (file == nullptr) return false;
            // Absolute: the program may change directory before it exits.
            a->env.emplace_back("HAKMEM_STATS_JSON", absolute(file));
        } else if (arg == "--profile") {
            const char* file = value("a file name");
            if (file == nullptr) return false;
            // The profile is telemetry's samples: on, whatever the
            // environment said (a later -o TELEMETRY=0 still wins).
            a->env.emplace_back("HAKMEM_TELEMETRY", "1");
            a->env.emplace_back("HAKMEM_HEAP_PROFILE", absolute(file));
        } else if (arg == "--learn") {
            const char* mode = value("off, elo or ucb1");
            if (mode == nullptr) return false;
            std::string m = mode;
            if (m != "off" && m != "elo" && m != "ucb1") {
                error_line("run: --learn %s: expected off, elo or ucb1", mode);
                return false;
            }
            a->env.emplace_back("HAKMEM_LEARN", m);
        } else if (arg == "--secure") {
            a->secure = true;
        } else if (arg == "--lib") {
            const char* lib = value("the library's path");
            if (lib == nullptr) return false;
            a->lib = absolute(lib);
        } else if (arg == "-o" || (arg.rfind("-o", 0) == 0 && arg.size() > 2)) {
            std::string pair = arg.substr(2);
            if (arg == "-o") {
                const char* v = value("NAME=VALUE");
                if (v == nullptr) return false;
                pair = v;
            }
            size_t eq = pair.find('=');
            if (eq == std::string::npos || eq == 0) {
                error_line("run: -o %s: expected NAME=VALUE", pair.c_str());
                return false;
            }
            std::string name = option_variable(pair.substr(0, eq));
            if (find_option(name) == nullptr) {
                error_line("run: unknown option %s (closest: %s; `hakmem options` lists them)", name.c_str(),
                           closest_option(name).name);
                return false;
            }
            a->env.emplace_back(name, pair.substr(eq + 1));
        } else if (arg.size() > 1 && arg[0] == '-') {
            error_line("run: unknown flag %s (see `hakmem --help`)", arg.c_str());
            return false;
        } else {
            a->program = i;
            break;
        }
    }
    if (a->program < 0 || a->program >= argc) {
        error_line("run: no program given: hakmem run [OPTIONS] -- PROGRAM [ARGS...]");
        return false;
    }
    return true;
}

}  // namespace

int run_command(int argc, char** argv) {
    RunArgs a;
    if (!parse(argc, argv, &a)) return kRunFailed;
    const char* soname = a.secure ? HAKMEM_TOOL_SECURE_SONAME : HAKMEM_TOOL_SONAME;
    std::string lib = a.lib;
    if (lib.empty()) lib = self_directory() + "/" HAKMEM_TOOL_LIBDIR_FROM_BINDIR "/" + soname;
    if (access(lib.c_str(), R_OK) != 0) {
        error_line("run: cannot use the library %s: %s (install hakmem, or give --lib PATH)", lib.c_str(),
                   strerror(errno));
        return kRunFailed;
    }
    // ld.so takes a path with a space or colon as two paths.
    if (lib.find_first_of(" :") != std::string::npos) {
        error_line("run: the library's path %s contains a space or colon, which LD_PRELOAD cannot carry",
                   lib.c_str());
        return kRunFailed;
    }
    for (const auto& [name, value] : a.env) setenv(name.c_str(), value.c_str(), 1);
    const char* preload = getenv("LD_PRELOAD");
    std::string preloads = preload != nullptr && *preload ? lib + ":" + preload : lib;
    setenv("LD_PRELOAD", preloads.c_str(), 1);
    execvp(argv[a.program], argv + a.program);
    int err = errno;
    error_line("run: cannot run %s: %s", argv[a.program], strerror(err));
    return err == ENOENT ? kNotFound : kCannotExec;
}

}  // namespace hakmem_tool
