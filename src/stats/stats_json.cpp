#include "stats/stats_json.h"

#include "hakmem/hakmem.h"
#include "policy/strategy.h"
#include "stats/stats.h"
#include "stats/stats_fields.h"
#include "telemetry/json_file.h"

namespace hakmem {

void stats_write_json(JsonFile& j) {
    hak_stats_t s{};
    s.struct_size = sizeof s;
    stats_export(&s);
    j.object_begin("stats");
#define HAKMEM_JSON_STAT(name, ...) j.member(#name, s.name);
    HAKMEM_STATS_FIELDS(HAKMEM_JSON_STAT)
#undef HAKMEM_JSON_STAT
    j.object_end();

    // Numbers, as in hak_strategy_t (purge_mode 0 = dontneed, huge_pages 2 = large).
    const StrategyValues st = strategy_snapshot();
    j.object_begin("strategy");
#define HAKMEM_JSON_STRATEGY(type, name, ...) j.member(#name, st.name);
    HAKMEM_STRATEGY_FIELDS(HAKMEM_JSON_STRATEGY)
#undef HAKMEM_JSON_STRATEGY
    j.object_end();
}

}  // namespace hakmem
