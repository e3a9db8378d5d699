// Files the library writes itself (the HAKMEM_STATS_JSON report, the
// HAKMEM_SHOW_STATS file, the heap profile, the playbook), created so that
// nobody else can choose what gets written: no malloc, no stdio.
#pragma once
#include <cstddef>
#include <type_traits>

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

// Writes the file at `path` ("%p" = pid) whole or not at all: `fill(fd)`
// writes a fresh temporary file beside it (create_unique_file: exclusive,
// links not followed), which is fsynced, closed and renamed over `path`.
// Readers see the old file or the new one, never a partial write; writers
// racing for one path each have their own temporary file, all succeed, the
// last rename wins; a symlink at `path` is replaced, not followed. On any
// failure (fill returned false included) the temporary file is removed.
enum class ReplaceResult { kOk, kBadPath, kIoError };
using FileFill = bool (*)(int fd, void* arg);
ReplaceResult replace_file(const char* path, FileFill fill, void* arg);
template <typename F>
ReplaceResult replace_file(const char* path, F&& fill) {
    using Fn = std::remove_reference_t<F>;
    return replace_file(path, [](int fd, void* f) -> bool { return (*static_cast<Fn*>(f))(fd); }, &fill);
}

}  // namespace hakmem::os
