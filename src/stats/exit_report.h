// The reports a process writes at exit: the HAKMEM_SHOW_STATS summary and
// top sites (to stderr, through a copy kept from the start so that a
// program that closes stderr still shows it, or to a file) and the
// HAKMEM_STATS_JSON file.
#pragma once

namespace hakmem {
// At start, once the options are read: keeps a copy of stderr when the
// summary goes there (os/stderr_copy.h).
void exit_report_prepare();
// At exit (the library's destructor).
void exit_report_write();
}  // namespace hakmem
