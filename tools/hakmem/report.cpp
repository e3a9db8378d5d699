// hakmem report FILE.json: a HAKMEM_STATS_JSON file as a report a person
// reads: the summary, the strategy, the top call sites (symbolised where
// the file names a module and an offset but no symbol) with their size and
// lifetime quantiles.
#include <cxxabi.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "json.h"

namespace hakmem_tool {
namespace {

std::string scaled(double v, const char* const* units, double step) {
    int u = 0;
    while (v >= step && units[u + 1] != nullptr) v /= step, ++u;
    char buf[32];
    if (u == 0) std::snprintf(buf, sizeof buf, "%.0f%s%s", v, *units[0] ? " " : "", units[0]);
    else std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

std::string bytes(uint64_t v) {
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", nullptr};
    return scaled(double(v), kUnits, 1024);
}

std::string count(uint64_t v) {
    static const char* const kUnits[] = {"", "k", "M", "G", "T", nullptr};
    if (v < 10000) return std::to_string(v);
    return scaled(double(v), kUnits, 1000);
}

std::string duration(uint64_t ns, uint64_t samples) {
    if (samples == 0) return "-";
    static const char* const kUnits[] = {"ns", "us", "ms", "s", nullptr};
    return scaled(double(ns), kUnits, 1000);
}

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

bool read_file(const std::string& path, std::string* text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::stringstream s;
    s << in.rdbuf();
    *text = s.str();
    return !in.bad();
}

void print_summary(const Json& stats) {
    auto u = [&](const char* key) { return stats.u64(key); };
    std::printf("Summary\n");
    std::printf("  allocations     %s (%s frees)\n", count(u("allocs")).c_str(), count(u("frees")).c_str());
    std::printf("  live at exit    %s (peak %s)\n", bytes(u("bytes_current")).c_str(), bytes(u("bytes_peak")).c_str());
    std::printf("  large blocks    %s (cache: %s hits, %s misses)\n", count(u("large_allocs")).c_str(),
                count(u("large_cache_hits")).c_str(), count(u("large_cache_misses")).c_str());
    std::printf("  mapped          %s (%s mmap, %s munmap calls); %s purged (%s madvise calls)\n",
                bytes(u("bytes_mapped")).c_str(), count(u("mmap_calls")).c_str(), count(u("munmap_calls")).c_str(),
                bytes(u("bytes_purged")).c_str(), count(u("madvise_calls")).c_str());
    std::printf("  resident        %s RSS; page faults %s minor, %s major\n", bytes(u("rss_bytes")).c_str(),
                count(u("page_faults_minor")).c_str(), count(u("page_faults_major")).c_str());
    std::printf("  threads         %s active; purge thread %s (%s wakeups)\n", count(u("threads_active")).c_str(),
                u("purge_thread_running") ? "running" : "not started", count(u("purge_thread_wakeups")).c_str());
}

void print_strategy(const Json& strategy) {
    std::string line;
    for (const auto& [name, value] : strategy.object)
        if (value.type == Json::Type::kNumber) line += " " + name + "=" + std::to_string(value.integer);
    std::printf("\nStrategy at exit:%s\n", line.c_str());
}

void print_sites(const Json& root, const Json& sites, size_t top) {
    const Json* telemetry = root.get("telemetry");
    const Json* stats = root.get("stats");
    bool enabled = telemetry != nullptr && telemetry->get("enabled") != nullptr && telemetry->get("enabled")->boolean;
    bool adaptive = telemetry != nullptr && telemetry->get("adaptive") != nullptr && telemetry->get("adaptive")->boolean;
    std::printf("\nTelemetry: %s", enabled ? "on" : "off");
    if (enabled && stats != nullptr)
        std::printf(", %s samples (1 per %s allocated%s)", count(stats->u64("telemetry_samples")).c_str(),
                    bytes(stats->u64("telemetry_sample_bytes")).c_str(), adaptive ? " or less often, adaptive" : "");
    std::printf(", %zu sites\n", sites.array.size());
    if (sites.array.empty()) return;
    // Largest first (the library writes them so; a file edited or merged by
    // hand may not be).
    std::vector<const Json*> order;
    for (const Json& s : sites.array) order.push_back(&s);
    std::stable_sort(order.begin(), order.end(),
                     [](const Json* a, const Json* b) { return a->u64("bytes") > b->u64("bytes"); });
    size_t shown = std::min(top, order.size());
    std::printf("\nTop %zu call sites by estimated bytes allocated (sizes and lifetimes: quantiles of the samples)\n",
                shown);
    std::printf("%4s %9s %7s %9s %9s %9s %8s %8s %8s %9s %9s  %s\n", "#", "bytes", "allocs", "size p50", "p95", "p99",
                "life p50", "p95", "p99", "live", "peak", "site");
    for (size_t i = 0; i < shown; ++i) {
        const Json& s = *order[i];
        uint64_t freed = s.u64("freed_samples");
        std::printf("%4zu %9s %7s %9s %9s %9s %8s %8s %8s %9s %9s  %s\n", i + 1, bytes(s.u64("bytes")).c_str(),
                    count(s.u64("allocs")).c_str(), bytes(s.u64("size_p50")).c_str(), bytes(s.u64("size_p95")).c_str(),
                    bytes(s.u64("size_p99")).c_str(), duration(s.u64("lifetime_p50_ns"), freed).c_str(),
                    duration(s.u64("lifetime_p95_ns"), freed).c_str(), duration(s.u64("lifetime_p99_ns"), freed).c_str(),
                    bytes(s.u64("live_bytes")).c_str(), bytes(s.u64("peak_live_bytes")).c_str(), symbolise(s).c_str());
    }
    if (shown < sites.array.size()) std::printf("  ... %zu more sites (--top N)\n", sites.array.size() - shown);
}

}  // namespace

int report_command(int argc, char** argv) {
    std::string file;
    size_t top = 20;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--top" && i + 1 < argc) {
            char* end = nullptr;
            top = std::strtoul(argv[++i], &end, 10);
            if (*end != 0 || top == 0) {
                error_line("report: --top needs a positive number, not %s", argv[i]);
                return kUsageError;
            }
        } else if (arg.size() > 1 && arg[0] == '-') {
            error_line("report: unknown flag %s", arg.c_str());
            return kUsageError;
        } else if (file.empty()) {
            file = arg;
        } else {
            error_line("report: one file at a time (%s and %s)", file.c_str(), arg.c_str());
            return kUsageError;
        }
    }
    if (file.empty()) {
        error_line("report: no file given: hakmem report FILE.json (written by HAKMEM_STATS_JSON or --json)");
        return kUsageError;
    }
    std::string text;
    if (!read_file(file, &text)) {
        error_line("report: cannot read %s: %s", file.c_str(), std::strerror(errno));
        return 1;
    }
    Json root;
    std::string error;
    if (!parse_json(text, &root, &error)) {
        error_line("report: %s is not a hakmem stats file (not JSON: %s)", file.c_str(), error.c_str());
        return 1;
    }
    const Json* stats = root.get("stats");
    const Json* sites = root.get("sites");
    if (root.str("hakmem_abi").empty() || stats == nullptr || stats->type != Json::Type::kObject ||
        sites == nullptr || sites->type != Json::Type::kArray) {
        error_line("report: %s is not a hakmem stats file (no hakmem_abi, stats and sites)", file.c_str());
        return 1;
    }
    std::printf("hakmem report: %s (pid %llu, hakmem ABI %s)\n\n", file.c_str(),
                static_cast<unsigned long long>(root.u64("pid")), root.str("hakmem_abi").c_str());
    print_summary(*stats);
    if (const Json* strategy = root.get("strategy")) print_strategy(*strategy);
    print_sites(root, *sites, top);
    // Objects a newer library adds (a learner's timeline...) are named, not
    // silently dropped.
    static const std::set<std::string> kKnown = {"hakmem_abi", "pid", "stats", "strategy", "telemetry", "sites"};
    for (const auto& [name, value] : root.object)
        if (kKnown.count(name) == 0) std::printf("\nAlso in the file (not summarised by this version): %s\n", name.c_str());
    return 0;
}

}  // namespace hakmem_tool
