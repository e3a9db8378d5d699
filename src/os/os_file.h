// Files the library writes itself (the HAKMEM_STATS_JSON report), created
// so that nobody else can choose what gets written: no malloc, no stdio.
#pragma once
#include <cstddef>

namespace hakmem::os {

// Creates a new file `<base>.tmp.<pid>.<tid>.<counter>.<random>` for
// writing (mode 0644 less the umask, close-on-exec) and returns its
// descriptor, the name in `path` (`n` bytes). The file is created
// exclusively without following links (O_CREAT | O_EXCL | O_NOFOLLOW): a
// file or symlink someone planted at that name is never opened, the next
// name is tried instead. The pid, thread id and a per-process counter make
// names of concurrent writers distinct; the random part makes them
// unpredictable, so planting cannot starve a writer. Returns -1 with errno
// (ENAMETOOLONG when the name does not fit, EEXIST after 64 taken names).
int create_unique_file(const char* base, char* path, size_t n);

// `path` with each "%p" replaced by the process id, into `out` (`n` bytes).
// False if it does not fit or is empty.
// %p is for forked children: HAKMEM_STATS_JSON is inherited, so without it
// every process of a fork tree writes the same file at exit and the last
// writer wins (each write replaces the file whole: a reader sees one
// process's complete report, never a mix); with it each has its own file.
bool expand_pid_path(const char* path, char* out, size_t n);

}  // namespace hakmem::os
