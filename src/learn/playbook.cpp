// The playbook's tables and its merge into the file (learn/playbook.h).
//
// Three static tables, all under g_lock:
//   g_known   what this process knows: the file as last read or written,
//             plus what it recorded since. Lookups read it.
//   g_pending the deltas recorded since the last successful flush. Only
//             these are added to the file, so a flush never writes back
//             counts another process already wrote (which would count them
//             twice) and never loses counts another process added meanwhile
//             (it re-reads the file under the lock first).
//   g_merged  scratch for a load or flush: the file re-read, then the
//             deltas added and the result curated.
#include "learn/playbook.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "learn/playbook_file.h"
#include "os/os_file.h"
#include "os/os_lock.h"
#include "os/os_print.h"

namespace hakmem::learn {
namespace {

template <size_t N>
struct Table {
    static constexpr size_t kCapacity = N;
    PlaybookEntry e[N]{};
    size_t n = 0;
};

// constinit, all of them: learner_init loads the playbook from a
// constructor that runs before the library's dynamic initialization, which
// would otherwise zero what it loaded (it did: until 2026-12-03 no real
// process ever saw its playbook; only tests, which load after init, did).
constinit os::Lock g_lock;
constinit Table<kMaxEntries> g_known;
constinit Table<kMaxPendingDeltas> g_pending;
constinit Table<kMaxEntries + kMaxPendingDeltas> g_merged;
constinit PlaybookReader g_reader{};
// Paths: the final one plus a suffix (os::create_unique_file adds about 80 bytes).
constexpr size_t kPathMax = 4096 + 128;
char g_side_path[kPathMax];
bool g_warned_stuck = false;  // a bad file that could not be moved aside: warned once

// Waiting for another process's flush: it reads, merges and writes a file of
// at most a few tens of KiB, milliseconds. A lock held much longer belongs to
// a stopped or stuck process; the flush then fails (its deltas stay pending)
// rather than block the background thread, and with it fork, for good.
constexpr int kLockAttempts = 1000;
constexpr long kLockRetryNs = 1000 * 1000;

bool same_entry(const PlaybookEntry& a, const PlaybookEntry& b) {
    return a.strategy == b.strategy &&
           signature_distance2(a.signature, b.signature) <= kSameSignatureDistance * kSameSignatureDistance;
}

uint32_t add_saturated(uint32_t a, uint32_t b) { return a > UINT32_MAX - b ? UINT32_MAX : a + b; }

// `later` happened after `into`: counts add, its rating replaces.
void merge(PlaybookEntry& into, const PlaybookEntry& later) {
    into.wins = add_saturated(into.wins, later.wins);
    into.losses = add_saturated(into.losses, later.losses);
    into.draws = add_saturated(into.draws, later.draws);
    into.helpful = add_saturated(into.helpful, later.helpful);
    into.harmful = add_saturated(into.harmful, later.harmful);
    into.rating = later.rating;
    if (later.last_seen > into.last_seen) into.last_seen = later.last_seen;
}

// The curator's order: the more helpful entry first; among equally helpful,
// the one seen more recently, then the better rated.
bool more_useful(const PlaybookEntry& a, const PlaybookEntry& b) {
    int64_t ua = int64_t{a.helpful} - a.harmful, ub = int64_t{b.helpful} - b.harmful;
    if (ua != ub) return ua > ub;
    if (a.last_seen != b.last_seen) return a.last_seen > b.last_seen;
    return a.rating > b.rating;
}

// Merges `d` into the entry it matches, or adds it. In a full table, with
// `evict`, it replaces the least useful entry if it is more useful than
// that; otherwise it is not added. Returns whether it is in the table.
template <size_t N>
bool table_add(Table<N>& t, const PlaybookEntry& d, bool evict) {
    for (size_t i = 0; i < t.n; ++i) {
        if (same_entry(t.e[i], d)) {
            merge(t.e[i], d);
            return true;
        }
    }
    if (t.n < N) {
        t.e[t.n++] = d;
        return true;
    }
    if (!evict) return false;
    size_t worst = 0;
    for (size_t i = 1; i < t.n; ++i)
        if (more_useful(t.e[worst], t.e[i])) worst = i;
    if (!more_useful(d, t.e[worst])) return false;
    t.e[worst] = d;
    return true;
}

// Merges duplicates (a file read through table_add has none, but a
// hand-edited one may), orders the entries most useful first, and keeps at
// most `keep`.
template <size_t N>
void curate(Table<N>& t, size_t keep) {
    for (size_t i = 0; i < t.n; ++i) {
        for (size_t j = i + 1; j < t.n;) {
            if (!same_entry(t.e[i], t.e[j])) {
                ++j;
                continue;
            }
            if (t.e[j].last_seen < t.e[i].last_seen) {  // the later one's rating wins
                PlaybookEntry later = t.e[i];
                t.e[i] = t.e[j];
                t.e[j] = later;
            }
            merge(t.e[i], t.e[j]);
            t.e[j] = t.e[--t.n];
        }
    }
    // Insertion sort: at most a couple of hundred entries, no allocation.
    for (size_t i = 1; i < t.n; ++i) {
        PlaybookEntry x = t.e[i];
        size_t j = i;
        for (; j > 0 && more_useful(x, t.e[j - 1]); --j) t.e[j] = t.e[j - 1];
        t.e[j] = x;
    }
    if (t.n > keep) t.n = keep;
}

template <size_t N>
void add_to_table(const PlaybookEntry& e, void* ctx) {
    table_add(*static_cast<Table<N>*>(ctx), e, true);
}

// ---- the file lock ------------------------------------------------------------

// An exclusive flock on `<path>.lock` (never deleted: removing a lock file
// lets two processes lock different files of one name). Returns its
// descriptor, or -1 when it cannot be created or stays held elsewhere.
int lock_file(const char* path) {
    char lock_path[kPathMax];
    int k = snprintf(lock_path, sizeof lock_path, "%s.lock", path);
    if (k < 0 || static_cast<size_t>(k) >= sizeof lock_path) return -1;
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    for (int attempt = 0; attempt < kLockAttempts; ++attempt) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
        if (errno != EWOULDBLOCK && errno != EINTR) break;
        timespec pause{0, kLockRetryNs};
        nanosleep(&pause, nullptr);
    }
    close(fd);
    return -1;
}

void unlock_file(int fd) {
    flock(fd, LOCK_UN);
    close(fd);
}

// ---- reading, setting aside, writing ------------------------------------------

enum class FileState { kRead, kMissing, kSetAside, kError };

// Renames `from` to `to` unless `to` exists. renameat2(RENAME_NOREPLACE)
// where the file system has it; else a hard link, which also never
// replaces, and an unlink.
bool rename_no_replace(const char* from, const char* to) {
#ifdef SYS_renameat2
    constexpr unsigned kNoReplace = 1;  // RENAME_NOREPLACE
    if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, kNoReplace) == 0) return true;
    if (errno != EINVAL && errno != ENOSYS) return false;
#endif
    if (link(from, to) != 0) return false;
    unlink(from);
    return true;
}

// Moves a bad file at `path` aside to `<path>.corrupt-<unix time>` (then
// `-1`, `-2`... if that name is taken), with one warning line. The file lock
// is held, so no writer replaced the file since it was read. Returns false
// when it could not be moved (then it must not be overwritten either).
bool set_aside(const char* path, const ReadResult& r) {
    char why[96];
    playbook_describe(r, why, sizeof why);
    const long long now = static_cast<long long>(time(nullptr));
    for (int n = 0; n < 100; ++n) {
        int k = n == 0 ? snprintf(g_side_path, sizeof g_side_path, "%s.corrupt-%lld", path, now)
                       : snprintf(g_side_path, sizeof g_side_path, "%s.corrupt-%lld-%d", path, now, n);
        if (k < 0 || static_cast<size_t>(k) >= sizeof g_side_path) break;
        if (rename_no_replace(path, g_side_path)) {
            os::print_line("warning: playbook %s is %s; kept aside as %s, starting empty", path, why, g_side_path);
            return true;
        }
        if (errno != EEXIST) break;
    }
    if (!g_warned_stuck) {
        g_warned_stuck = true;
        os::print_line("warning: playbook %s is %s and cannot be moved aside; ignored and left as is", path, why);
    }
    return false;
}

// Reads the file at `path` into t (emptied first). A bad file is set aside
// when `may_set_aside` (the file lock is held), else only ignored.
template <size_t N>
FileState read_file(const char* path, Table<N>& t, bool may_set_aside) {
    t.n = 0;
    // O_NONBLOCK: a FIFO planted at the path must not block the open.
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno == ENOENT ? FileState::kMissing : FileState::kError;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return FileState::kError;
    }
    ReadResult r{ReadStatus::kTooLarge, 0, 0, 0};
    if (static_cast<uint64_t>(st.st_size) <= kPlaybookMaxFileBytes)
        r = playbook_read(fd, g_reader, add_to_table<N>, &t);
    close(fd);
    if (r.status == ReadStatus::kOk) return FileState::kRead;
    t.n = 0;
    if (r.status == ReadStatus::kIoError) return FileState::kError;
    if (!may_set_aside) {
        if (!g_warned_stuck) {
            g_warned_stuck = true;
            char why[96];
            playbook_describe(r, why, sizeof why);
            os::print_line("warning: playbook %s is %s; ignored", path, why);
        }
        return FileState::kError;
    }
    return set_aside(path, r) ? FileState::kSetAside : FileState::kError;
}

// A fresh temporary file beside `path`, created exclusively without
// following links (os::create_unique_file), written, fsynced and renamed
// over `path`: a reader sees the old playbook or the new one, never a part.
template <size_t N>
bool write_file(const char* path, const Table<N>& t) {
    char tmp_path[kPathMax];
    int fd = os::create_unique_file(path, tmp_path, sizeof tmp_path);
    if (fd < 0) return false;
    fchmod(fd, 0600);  // one user's cache, like its directory
    bool ok = playbook_write(fd, t.e, t.n);
    ok = fsync(fd) == 0 && ok;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp_path, path) != 0) {
        unlink(tmp_path);
        return false;
    }
    return true;
}

template <size_t N, size_t M>
void copy_table(Table<N>& to, const Table<M>& from) {
    to.n = from.n < N ? from.n : N;
    for (size_t i = 0; i < to.n; ++i) to.e[i] = from.e[i];
}

bool finite_entry(const PlaybookEntry& e) {
    for (double v : e.signature.v)
        if (!__builtin_isfinite(v)) return false;
    return __builtin_isfinite(e.rating);
}

}  // namespace

size_t playbook_load(const char* path) {
    os::LockGuard guard(g_lock);
    g_known.n = 0;
    size_t loaded = 0;
    struct stat st;
    if (path != nullptr && *path != 0 && (stat(path, &st) == 0 || errno != ENOENT)) {
        int lock = lock_file(path);
        if (read_file(path, g_merged, lock >= 0) == FileState::kRead) {
            curate(g_merged, kMaxEntries);
            copy_table(g_known, g_merged);
            loaded = g_known.n;
        }
        if (lock >= 0) unlock_file(lock);
    }
    for (size_t i = 0; i < g_pending.n; ++i) table_add(g_known, g_pending.e[i], true);
    return loaded;
}

bool playbook_lookup(const Signature& sig, double max_distance, PlaybookEntry* out) {
    os::LockGuard guard(g_lock);
    if (!(max_distance >= 0)) return false;
    // Every entry within the distance is a candidate: the workload's
    // signature wanders a little from one run (and one flush) to the next,
    // so "the same workload" is a neighbourhood, not one point. The latest
    // title holder wins (the learner records last_seen only for its
    // champion: the newest conclusion, which beat the older ones head to
    // head; net wins and ratings favour a long reign over weak challengers
    // instead), then usefulness, then net wins, then rating, then the nearer.
    const double max2 = max_distance * max_distance;
    size_t pick = g_known.n;
    double pick_d2 = 0;
    for (size_t i = 0; i < g_known.n; ++i) {
        const PlaybookEntry& c = g_known.e[i];
        double d2 = signature_distance2(sig, c.signature);
        if (!(d2 <= max2)) continue;
        if (pick == g_known.n) {
            pick = i, pick_d2 = d2;
            continue;
        }
        const PlaybookEntry& p = g_known.e[pick];
        int64_t nc = int64_t{c.wins} - c.losses, np = int64_t{p.wins} - p.losses;
        int64_t uc = int64_t{c.helpful} - c.harmful, up = int64_t{p.helpful} - p.harmful;
        bool better = c.last_seen != p.last_seen ? c.last_seen > p.last_seen
                      : uc != up                 ? uc > up
                      : nc != np                 ? nc > np
                      : c.rating != p.rating     ? c.rating > p.rating
                                                 : d2 < pick_d2;
        if (better) pick = i, pick_d2 = d2;
    }
    if (pick == g_known.n) return false;
    *out = g_known.e[pick];
    return true;
}

bool playbook_record(const PlaybookEntry& e) {
    if (!finite_entry(e) || !strategy_valid(e.strategy)) return false;
    os::LockGuard guard(g_lock);
    // The delta first: what cannot be flushed is not recorded at all, so the
    // in-memory table never claims more than the file will get.
    if (!table_add(g_pending, e, false)) return false;
    table_add(g_known, e, true);
    return true;
}

bool playbook_flush(const char* path) {
    os::LockGuard guard(g_lock);
    if (g_pending.n == 0) return true;
    if (path == nullptr || *path == 0) return false;
    int lock = lock_file(path);
    if (lock < 0) return false;
    bool ok = false;
    if (read_file(path, g_merged, true) != FileState::kError) {
        // Room for every delta: the file's part is curated to kMaxEntries first.
        curate(g_merged, kMaxEntries);
        for (size_t i = 0; i < g_pending.n; ++i) table_add(g_merged, g_pending.e[i], false);
        curate(g_merged, kMaxEntries);
        ok = write_file(path, g_merged);
    }
    unlock_file(lock);
    if (ok) {
        copy_table(g_known, g_merged);
        g_pending.n = 0;
    }
    return ok;
}

size_t playbook_size() {
    os::LockGuard guard(g_lock);
    return g_known.n;
}

bool playbook_entry(size_t i, PlaybookEntry* out) {
    os::LockGuard guard(g_lock);
    if (i >= g_known.n) return false;
    *out = g_known.e[i];
    return true;
}

size_t playbook_pending() {
    os::LockGuard guard(g_lock);
    return g_pending.n;
}

void playbook_reset() {
    os::LockGuard guard(g_lock);
    g_known.n = 0;
    g_pending.n = 0;
    g_warned_stuck = false;
}

void playbook_fork_prepare() { g_lock.lock(); }
void playbook_fork_parent() { g_lock.unlock(); }
void playbook_fork_child() { g_lock.reset_in_child(); }

}  // namespace hakmem::learn
