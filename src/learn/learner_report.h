// The learner seen from outside: hak_get_learner_stats, its part of the
// HAKMEM_SHOW_STATS summary (the ratings table and the champion), and its
// part of the JSON report (the candidates and the epoch history, so a run
// can be plotted). api/ puts these beside the stats layer's parts.
#pragma once

struct hak_learner_stats;

namespace hakmem {
class JsonFile;

int learner_export(hak_learner_stats* out);
// Nothing when the learner is off.
void learner_print(int fd);
void learner_write_json(JsonFile& j);
}  // namespace hakmem
