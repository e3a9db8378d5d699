// Diagnostics to stderr without malloc: formatted into a stack buffer and
// written with one write(2), so a message is one line even across threads.
#pragma once
#include <cstdarg>

namespace hakmem::os {
// Prints "hakmem: <message>\n". printf-style; integers, strings and pointers
// only (no floating point, which may allocate in some libcs).
void print_line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Prints exactly the formatted text (no prefix, no newline added).
void print_raw(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// print_raw to the descriptor `fd` (the exit report's target: a kept copy
// of stderr or a file, stats/exit_report.h).
void print_to(int fd, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
}  // namespace hakmem::os
