// The subcommands of `hakmem` (main.cpp dispatches). Each returns the
// process's exit status; errors are one line on stderr ("hakmem: ...").
#pragma once

namespace hakmem_tool {

// Exit statuses of the command's own failures, as env(1) and timeout(1)
// use them: so a caller can tell them from the program's own status.
inline constexpr int kUsageError = 2;     // bad arguments (options, report)
inline constexpr int kRunFailed = 125;    // hakmem run itself failed (bad option, no library)
inline constexpr int kCannotExec = 126;   // the program exists but cannot be run
inline constexpr int kNotFound = 127;     // the program was not found

int run_command(int argc, char** argv);      // hakmem run ...: argv[0] is "run"
int options_command(int argc, char** argv);  // hakmem options
int report_command(int argc, char** argv);   // hakmem report FILE.json

// Prints "hakmem: <message>" on stderr.
void error_line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace hakmem_tool
