// Helpers of the playbook tests: a scratch directory, whole-file reads and
// writes, stderr captured around a call, entries that differ in every field,
// and a function run in a forked child (for the environment, and for
// processes that share one playbook).
#ifndef HAKMEM_PLAYBOOK_TEST_SUPPORT_H
#define HAKMEM_PLAYBOOK_TEST_SUPPORT_H

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "hakmem_test_support.h"
#include "probe_run.h"  // ReadAllAndClose
#include "learn/playbook.h"
#include "policy/strategy.h"

namespace hakt {

using hakmem::learn::PlaybookEntry;
using hakmem::learn::Signature;

inline std::string ReadFile(const std::string& path) {
    std::string text;
    int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) return text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
    close(fd);
    return text;
}

inline bool WriteFile(const std::string& path, const std::string& text) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return false;
    bool ok = write(fd, text.data(), text.size()) == ssize_t(text.size());
    return close(fd) == 0 && ok;
}

inline bool Exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

// What a call printed on stderr (fd 2 redirected to a file meanwhile).
inline std::string StderrOf(const std::function<void()>& fn) {
    char name[] = "/tmp/hakmem_playbook_stderr_XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) return "<mkstemp failed>";
    unlink(name);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    std::string text;
    lseek(fd, 0, SEEK_SET);
    char buf[1024];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
    close(fd);
    return text;
}

// Runs fn in a forked child and returns what it returned (the child exits
// right after). A crash or an early exit gives "<child failed ...>".
inline std::string InChild(const std::function<std::string()>& fn) {
    int p[2];
    if (pipe(p) != 0) return "<pipe failed>";
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        std::string out = fn();
        size_t off = 0;
        while (off < out.size()) {
            ssize_t n = write(p[1], out.data() + off, out.size() - off);
            if (n <= 0) _exit(2);
            off += size_t(n);
        }
        _exit(0);
    }
    close(p[1]);
    std::string text = ReadAllAndClose(p[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "<child failed, status " + std::to_string(status) + ">" + text;
    return text;
}

// A scratch directory with a playbook path in it; the in-memory playbook is
// emptied before and after each test.
class PlaybookDir : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/hakmem_playbook_XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
        path_ = dir_ + "/test.playbook";
        hakmem::learn::playbook_reset();
    }
    void TearDown() override {
        hakmem::learn::playbook_reset();
        RemoveTree(dir_);
    }
    static void RemoveTree(const std::string& dir) {
        if (DIR* d = opendir(dir.c_str())) {
            while (dirent* e = readdir(d)) {
                if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
                std::string p = dir + "/" + e->d_name;
                struct stat st;
                if (lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) RemoveTree(p);
                else unlink(p.c_str());
            }
            closedir(d);
        }
        rmdir(dir.c_str());
    }
    std::vector<std::string> Entries() const { return hakt::DirEntries(dir_); }
    // The names set aside as `<playbook>.corrupt-...`.
    std::vector<std::string> SetAside() const {
        std::vector<std::string> found;
        for (const std::string& n : Entries())
            if (n.rfind("test.playbook.corrupt-", 0) == 0) found.push_back(dir_ + "/" + n);
        return found;
    }
    std::string dir_, path_;
};

// An entry whose every field depends on `seed` (and differs from the
// defaults), with a valid strategy.
inline PlaybookEntry MakeEntry(unsigned seed) {
    PlaybookEntry e{};
    for (unsigned d = 0; d < hakmem::learn::kSignatureDims; ++d) e.signature.v[d] = seed * 10.0 + d + 0.125;
    e.strategy = hakmem::strategy_defaults();
    e.strategy.purge_delay_ms = 1000 + seed;
    e.strategy.segment_cache_max = seed % 1000;
    e.strategy.purge_mode = 1;
    e.strategy.mmap_threshold = (uint64_t{1} << 20) * (seed + 1);
    e.strategy.large_cache_max = 12345 + seed;
    e.strategy.purge_batch_bytes = 4096 * (seed + 3);
    e.strategy.huge_pages = seed % 3;
    e.strategy.purge_thread = 0;
    e.rating = 1500.0 + seed / 3.0;
    e.wins = 1 + seed;
    e.losses = 2 + seed;
    e.draws = 3 + seed;
    e.helpful = 4 + seed;
    e.harmful = 5 + seed;
    e.last_seen = 1700000000ull + seed;
    return e;
}

inline bool SameFields(const PlaybookEntry& a, const PlaybookEntry& b) {
    return std::memcmp(&a.signature, &b.signature, sizeof a.signature) == 0 && a.strategy == b.strategy &&
           std::memcmp(&a.rating, &b.rating, sizeof a.rating) == 0 && a.wins == b.wins && a.losses == b.losses &&
           a.draws == b.draws && a.helpful == b.helpful && a.harmful == b.harmful && a.last_seen == b.last_seen;
}

}  // namespace hakt

#endif  // HAKMEM_PLAYBOOK_TEST_SUPPORT_H
