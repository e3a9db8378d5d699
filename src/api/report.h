// The reports' parts that api/ composes from the layers below it: the
// learner's summary lines and JSON objects beside the stats layer's (the
// learner sits above stats, so the stats layer's exit report is handed them).
#pragma once

namespace hakmem {
class JsonFile;
// Summary lines after the stats' own (hak_print_stats, HAKMEM_SHOW_STATS).
void report_summary_part(int fd);
// The JSON report's objects before the telemetry's (HAKMEM_STATS_JSON).
void report_json_objects(JsonFile& j);
}  // namespace hakmem
