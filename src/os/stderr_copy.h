// A private duplicate of stderr, taken at start, for the exit report.
// Programs close stderr before exiting (coreutils' close_stdout runs from
// atexit, before any library destructor), and a descriptor 2 the program
// closed may since belong to one of its own files: writing the report
// there would put it into that file. So the report goes to a copy made at
// start, and only while that copy (or else fd 2) is still the file stderr
// was then.
#pragma once

namespace hakmem::os {

// Duplicates fd 2 to a high descriptor (close-on-exec: a program it execs
// takes its own copy) and records which file it is (device and inode).
// When fd 2 is not open, remembers that there is no stderr to report to.
// Once; later calls do nothing.
void stderr_keep();

// Where a report meant for stderr may go now: the kept copy while it still
// is the file stderr was at start, else fd 2 if that still is that file,
// else -1 (nothing safe to write to). Without stderr_keep, fd 2.
int stderr_for_report();

// Tests: closes the copy and forgets it.
void stderr_forget_for_testing();

}  // namespace hakmem::os
