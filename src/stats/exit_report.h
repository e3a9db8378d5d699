// The reports a process writes at exit: the HAKMEM_SHOW_STATS summary and
// top sites (to stderr, through a copy kept from the start so that a
// program that closes stderr still shows it, or to a file), the
// HAKMEM_STATS_JSON file and the HAKMEM_HEAP_PROFILE heap profile.
#pragma once

namespace hakmem {
class JsonFile;

// What the layers above stats add (api/ composes them): summary lines after
// the stats' own (the learner's table), and the JSON objects before the
// telemetry's. Either may be null.
using SummaryPart = void (*)(int fd);
using JsonObjects = void (*)(JsonFile& j);

// At start, once the options are read: keeps a copy of stderr when the
// summary goes there (os/stderr_copy.h); warns when a heap profile is asked
// for with telemetry off.
void exit_report_prepare();
// At exit (the library's destructor).
void exit_report_write(SummaryPart extra, JsonObjects objects);
}  // namespace hakmem
