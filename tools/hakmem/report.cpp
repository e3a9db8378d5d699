// hakmem report FILE.json: a HAKMEM_STATS_JSON file as a report a person
// reads (report_text.cpp), with plots as SVG files (--svg DIR,
// report_plots.cpp) or one HTML page holding both (--html FILE,
// report_html.cpp). This file reads the arguments and the file, checks that
// it is a stats file, and writes what was asked for.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "json.h"
#include "report.h"

namespace hakmem_tool {
namespace {

struct Args {
    std::string file;
    size_t top = 20;
    std::string svg_dir;  // empty: no SVG files
    std::string html;     // empty: no HTML page
};

// Returns 0 when the arguments are usable, else the exit status (the error printed).
int parse_args(int argc, char** argv, Args* a) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if ((arg == "--top" || arg == "--svg" || arg == "--html") && i + 1 >= argc) {
            error_line("report: %s needs %s", arg.c_str(),
                       arg == "--top" ? "a number" : arg == "--svg" ? "a directory" : "a file name");
            return kUsageError;
        }
        if (arg == "--top") {
            char* end = nullptr;
            a->top = std::strtoul(argv[++i], &end, 10);
            if (*end != 0 || a->top == 0) {
                error_line("report: --top needs a positive number, not %s", argv[i]);
                return kUsageError;
            }
        } else if (arg == "--svg" || arg == "--html") {
            (arg == "--svg" ? a->svg_dir : a->html) = argv[++i];
            if (argv[i][0] == 0) {
                error_line("report: %s needs a non-empty name", arg.c_str());
                return kUsageError;
            }
        } else if (arg.size() > 1 && arg[0] == '-') {
            error_line("report: unknown flag %s", arg.c_str());
            return kUsageError;
        } else if (a->file.empty()) {
            a->file = arg;
        } else {
            error_line("report: one file at a time (%s and %s)", a->file.c_str(), arg.c_str());
            return kUsageError;
        }
    }
    if (a->file.empty()) {
        error_line("report: no file given: hakmem report FILE.json (written by HAKMEM_STATS_JSON or --json)");
        return kUsageError;
    }
    return 0;
}

bool read_file(const std::string& path, std::string* text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::stringstream s;
    s << in.rdbuf();
    *text = s.str();
    return !in.bad();
}

// Writes `text` to `path`; on failure prints the one error line.
bool write_file(const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) {
        error_line("report: cannot write %s: %s", path.c_str(), std::strerror(errno));
        return false;
    }
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    int saved = errno;
    if (std::fclose(f) != 0 && ok) ok = false, saved = errno;
    if (!ok) error_line("report: cannot write %s: %s", path.c_str(), std::strerror(saved));
    return ok;
}

bool make_directory(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!ec && !std::filesystem::is_directory(dir, ec)) ec = std::make_error_code(std::errc::not_a_directory);
    if (ec) error_line("report: cannot create the directory %s: %s", dir.c_str(), ec.message().c_str());
    return !ec;
}

// The sites with the most bytes first (the library writes them so; a file
// edited or merged by hand may not be), symbolised.
void top_sites(const Json& sites, size_t top, ReportData* d) {
    std::vector<const Json*> order;
    for (const Json& s : sites.array) order.push_back(&s);
    std::stable_sort(order.begin(), order.end(),
                     [](const Json* a, const Json* b) { return a->u64("bytes") > b->u64("bytes"); });
    d->site_count = order.size();
    for (size_t i = 0; i < std::min(top, order.size()); ++i) {
        const Json& s = *order[i];
        SiteRow r;
        r.name = symbolise(s);
        r.bytes = s.u64("bytes"), r.allocs = s.u64("allocs");
        r.live_bytes = s.u64("live_bytes"), r.peak_live_bytes = s.u64("peak_live_bytes");
        r.size_p50 = s.u64("size_p50"), r.size_p95 = s.u64("size_p95"), r.size_p99 = s.u64("size_p99");
        r.freed_samples = s.u64("freed_samples");
        r.life_p50_ns = s.u64("lifetime_p50_ns"), r.life_p95_ns = s.u64("lifetime_p95_ns");
        r.life_p99_ns = s.u64("lifetime_p99_ns");
        d->top.push_back(std::move(r));
    }
}

}  // namespace

int report_command(int argc, char** argv) {
    Args args;
    if (int status = parse_args(argc, argv, &args)) return status;
    const std::string& file = args.file;
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
    ReportData d;
    d.file = file;
    d.root = &root;
    d.has_learner = read_learner_run(root, &d.learner, &error);
    if (!error.empty()) {
        error_line("report: %s: %s", file.c_str(), error.c_str());
        return 1;
    }
    top_sites(*sites, args.top, &d);

    std::string report = report_text(d);
    std::string written;
    if (!args.svg_dir.empty() || !args.html.empty()) {
        std::vector<Plot> plots = report_plots(d);
        if (!args.svg_dir.empty()) {
            if (!make_directory(args.svg_dir)) return 1;
            for (const Plot& p : plots)
                if (!write_file(args.svg_dir + "/" + p.file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + p.svg))
                    return 1;
            std::string names;
            for (const Plot& p : plots) names += (names.empty() ? "" : ", ") + p.file;
            written += plots.empty() ? "\nNo plots: the file has no call sites and no learner history.\n"
                                     : "\nPlots in " + args.svg_dir + ": " + names + "\n";
        }
        if (!args.html.empty()) {
            if (!write_file(args.html, report_html(d, report, plots))) return 1;
            written += "\nHTML report: " + args.html + "\n";
        }
    }
    std::fputs(report.c_str(), stdout);
    std::fputs(written.c_str(), stdout);
    return 0;
}

}  // namespace hakmem_tool
