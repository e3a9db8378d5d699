// The `hakmem` command: run a program with hakmem, list the options, read
// a stats file. See hakmem.1 (installed as the man page).
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "hakmem/hakmem.h"

namespace hakmem_tool {

void error_line(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "hakmem: %s\n", buf);
}

}  // namespace hakmem_tool

namespace {

constexpr char kUsage[] =
    "usage: hakmem run [--stats] [--json FILE] [--profile FILE] [--learn MODE] [--secure] [--lib PATH]\n"
    "                  [-o NAME=VALUE]... [--] PROGRAM [ARGS...]\n"
    "       hakmem report [--top N] [--svg DIR] [--html FILE] FILE.json\n"
    "       hakmem options\n"
    "       hakmem --version | --help\n"
    "\n"
    "  run      run PROGRAM with hakmem preloaded (the library installed beside this command)\n"
    "             --stats        print a summary and the top call sites at exit (HAKMEM_SHOW_STATS=1)\n"
    "             --json FILE    write the statistics as JSON at exit (HAKMEM_STATS_JSON=FILE)\n"
    "             --profile FILE write a heap profile for pprof at exit (HAKMEM_HEAP_PROFILE=FILE)\n"
    "             --learn MODE   tune the strategy while it runs: off, elo or ucb1 (HAKMEM_LEARN)\n"
    "             --secure       use the hardened library, libhakmem_secure\n"
    "             --lib PATH     use this library instead of the installed one\n"
    "             -o NAME=VALUE  set an option (HAKMEM_ may be left out); `hakmem options` lists them\n"
    "           the exit status is the program's; hakmem's own failures exit 125 (126, 127: the\n"
    "           program cannot be run, is not found)\n"
    "  report   summarise a stats file: totals, strategy, top call sites with size and lifetime quantiles,\n"
    "           the learner's timeline when it ran\n"
    "             --top N        show N call sites (default 20)\n"
    "             --svg DIR      also draw plots as SVG files in DIR (created if need be)\n"
    "             --html FILE    also write one HTML page with the report and the plots\n"
    "  options  every HAKMEM_* option with its kind, default and meaning\n"
    "\n"
    "See hakmem(1).\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace hakmem_tool;
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        return kUsageError;
    }
    std::string command = argv[1];
    if (command == "run") return run_command(argc - 1, argv + 1);
    if (command == "report") return report_command(argc - 1, argv + 1);
    if (command == "options") return options_command(argc - 1, argv + 1);
    if (command == "--version" || command == "version") {
        std::printf("hakmem %s (ABI %u.%u)\n", HAKMEM_TOOL_VERSION, HAKMEM_ABI_VERSION_MAJOR, HAKMEM_ABI_VERSION_MINOR);
        return 0;
    }
    if (command == "--help" || command == "-h" || command == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    error_line("unknown command %s (run, report, options, --version, --help)", command.c_str());
    return kUsageError;
}
