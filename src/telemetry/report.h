// Reading the per-site statistics: the hak_get_site_stats() copy, the table
// of top sites HAKMEM_SHOW_STATS prints, and the JSON file
// (HAKMEM_STATS_JSON, hak_write_stats_json), with sites named as file:line
// (HAK_SITE()), symbol+offset (dladdr) or module+offset.
//
// Everything here runs at report time only (exit or an explicit call), never
// on an allocation path: symbolization may take the dynamic loader's lock.
// Output is formatted into stack buffers (integers only) and written with
// write(2); nothing allocates.
#pragma once
#include <cstddef>

#include "hakmem/hakmem.h"

namespace hakmem {

// hak_get_site_stats: top *count sites by estimated bytes.
int telemetry_site_stats(hak_site_stats_t* out, size_t* count);
// The top sites as a table on `fd` (after the stats summary).
void telemetry_print_sites(int fd);
class JsonFile;  // telemetry/json_file.h
// Writes the report's first objects (the statistics and the Strategy, which
// stats/ writes: it sits above this layer).
using JsonHead = void (*)(JsonFile& j);
// Writes the report as JSON to `path` ("%p" = pid) through a temporary file
// renamed into place: `head`'s objects, then telemetry's and every site.
// HAK_OK, HAK_E_INVALID or HAK_E_IO.
int telemetry_write_json(const char* path, JsonHead head);

// Fork handlers: taken before the fold and sampled-heap locks.
void telemetry_report_lock();
void telemetry_report_unlock();
void telemetry_report_reset_in_child();

}  // namespace hakmem
