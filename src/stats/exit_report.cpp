#include "stats/exit_report.h"

#include "hakmem/hakmem.h"
#include "os/os_file.h"
#include "os/os_print.h"
#include "os/stderr_copy.h"
#include "policy/options.h"
#include "stats/stats.h"
#include "stats/stats_json.h"
#include "telemetry/heap_profile.h"
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
    return os::replace_file(path, [extra](int fd) {
               write_summary(fd, extra);
               return true;
           }) == os::ReplaceResult::kOk;
}

}  // namespace

void exit_report_prepare() {
    if (option_get(Option::kShowStats) && option_get_string(Option::kShowStats) == nullptr) os::stderr_keep();
    // The profile is telemetry's samples: without them it would be empty.
    if (option_get_string(Option::kHeapProfile) != nullptr && option_get(Option::kTelemetry) == 0)
        os::print_line("warning: HAKMEM_HEAP_PROFILE needs HAKMEM_TELEMETRY=1; the profile will be empty");
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
    if (const char* path = option_get_string(Option::kHeapProfile)) {
        if (telemetry_write_heap_profile(path) != HAK_OK)
            os::print_line("warning: HAKMEM_HEAP_PROFILE: cannot write %s", path);
    }
}

}  // namespace hakmem
