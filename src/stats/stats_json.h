// The JSON report's first objects: "stats" (every hak_stats_t field) and
// "strategy" (every hak_strategy_t field), generated from their field lists
// (stats/stats_fields.h, policy/strategy_fields.h), so a new field appears
// in the report without being spelled here. telemetry/report.cpp writes the
// rest of the file (hak_write_stats_json passes this function to it).
#pragma once

namespace hakmem {
class JsonFile;
void stats_write_json(JsonFile& j);
}  // namespace hakmem
