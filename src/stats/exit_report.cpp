#include "stats/exit_report.h"

#include <cstdio>
#include <unistd.h>

#include "hakmem/hakmem.h"
#include "os/os_file.h"
#include "os/os_print.h"
#include "os/stderr_copy.h"
#include "policy/options.h"
#include "stats/stats.h"
#include "stats/stats_json.h"
#include "telemetry/report.h"

namespace hakmem {
namespace {

void write_summary(int fd, SummaryPart extra) {
    stats_print(fd);
    if (extra != nullptr) extra(fd);
    telemetry_print_sites(fd);
}

// HAKMEM_SHOW_STATS=path: the same text, written like the JSON file (a new
// temporary file, never through a planted link, renamed over `path`).
bool write_summary_file(const char* path, SummaryPart extra) {
    char final_path[4096], tmp_path[4096 + 80];
    if (!os::expand_pid_path(path, final_path, sizeof final_path)) return false;
    int fd = os::create_unique_file(final_path, tmp_path, sizeof tmp_path);
    if (fd < 0) return false;
    write_summary(fd, extra);
    if (close(fd) != 0 || rename(tmp_path, final_path) != 0) {
        unlink(tmp_path);
        return false;
    }
    return true;
}

}  // namespace

void exit_report_prepare() {
    if (option_get(Option::kShowStats) && option_get_string(Option::kShowStats) == nullptr) os::stderr_keep();
}

void exit_report_write(SummaryPart extra, JsonObjects objects) {
    if (option_get(Option::kShowStats)) {
        if (const char* path = option_get_string(Option::kShowStats)) {
            if (!write_summary_file(path, extra)) os::print_line("warning: HAKMEM_SHOW_STATS: cannot write %s", path);
        } else if (int fd = os::stderr_for_report(); fd >= 0) {
            write_summary(fd, extra);
        }
    }
    if (const char* path = option_get_string(Option::kStatsJson)) {
        if (telemetry_write_json(path, objects != nullptr ? objects : stats_write_json) != HAK_OK)
            os::print_line("warning: HAKMEM_STATS_JSON: cannot write %s", path);
    }
}

}  // namespace hakmem
