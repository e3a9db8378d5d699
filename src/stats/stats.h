// The statistics the C ABI exposes: merged counters, OS counters and RSS,
// copied into the caller's hak_stats_t as far as its struct_size reaches,
// and the summary HAKMEM_SHOW_STATS=1 prints at exit.
#pragma once

struct hak_stats;

namespace hakmem {
int stats_export(hak_stats* out);
void stats_print(int fd);  // the summary, to `fd`
}  // namespace hakmem
