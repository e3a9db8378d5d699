// Processes (and threads) of one program flushing one playbook at once: each flush adds
// only its own deltas to the file as it is now, under the file lock, so the
// file ends with the sum of everything every process recorded - nothing
// lost, nothing counted twice - and a process loading it meanwhile only
// ever sees a whole file (a torn one would be set aside, and the sums
// would come out short).
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/file.h>

#include <atomic>
#include <functional>
#include <thread>
#include <string>
#include <vector>

#include "learn/playbook.h"
#include "playbook_test_support.h"

namespace {

using hakmem::learn::playbook_flush;
using hakmem::learn::playbook_load;
using hakmem::learn::playbook_lookup;
using hakmem::learn::playbook_record;
using hakmem::learn::playbook_reset;
using hakmem::learn::PlaybookEntry;
using hakmem::learn::Signature;

using PlaybookProcesses = hakt::PlaybookDir;

PlaybookEntry Shared() {
    PlaybookEntry e{};
    e.signature = Signature{{1, 2, 3, 4}};
    e.strategy = hakmem::strategy_defaults();
    e.rating = 1500;
    e.last_seen = 1700000000;
    return e;
}

PlaybookEntry Own(int process) {
    PlaybookEntry e = Shared();
    e.signature.v[0] = 100 + process;
    e.strategy.purge_delay_ms = 1000 + uint64_t(process);
    return e;
}

// Writer `process`: `rounds` times records +1 win on the shared entry and
// +1 helpful, +2 draws on its own, then flushes. A flush that fails (the
// lock busy for a second) keeps its deltas for the next one; the last
// flush is retried until it succeeds. Starts when `go` becomes readable.
std::string Writer(const std::string& path, int process, int rounds, int go) {
    char c;
    if (read(go, &c, 1) != 0) return "start pipe";
    int failed = 0;
    for (int r = 0; r < rounds; ++r) {
        PlaybookEntry s = Shared();
        s.wins = 1;
        s.last_seen += uint64_t(r);
        PlaybookEntry o = Own(process);
        o.helpful = 1;
        o.draws = 2;
        if (!playbook_record(s) || !playbook_record(o)) return "record refused";
        if (!playbook_flush(path.c_str())) ++failed;
    }
    for (int tries = 0; !playbook_flush(path.c_str()); ++tries)
        if (tries == 100) return "the last flush never succeeded";
    return "ok " + std::to_string(failed);
}

// Loads the playbook over and over while the writers run (until `stop`
// becomes readable); a file it found torn would be set aside.
std::string Reader(const std::string& path, int go, int stop) {
    char c;
    if (read(go, &c, 1) != 0) return "start pipe";
    int loads = 0;
    pollfd p{stop, POLLIN, 0};
    while (poll(&p, 1, 0) == 0) {
        playbook_load(path.c_str());
        ++loads;
    }
    return "ok " + std::to_string(loads);
}

// A forked child running fn; its result comes back through a pipe.
struct Child {
    pid_t pid;
    int result_fd;
};

Child Spawn(const std::function<std::string()>& fn) {
    int p[2];
    if (pipe(p) != 0) return {-1, -1};
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        std::string out = fn();
        (void)!write(p[1], out.data(), out.size());
        _exit(0);
    }
    close(p[1]);  // at once: later children must not hold it open
    return {pid, p[0]};
}

std::string Collect(const Child& c) {
    if (c.pid < 0) return "fork failed";
    std::string text = hakt::ReadAllAndClose(c.result_fd);
    int status = 0;
    waitpid(c.pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "exited with status " + std::to_string(status);
    return text;
}

void RunWriters(const std::string& path, int processes, int rounds, bool with_reader) {
    int go[2], stop[2];
    ASSERT_EQ(pipe(go), 0);
    ASSERT_EQ(pipe(stop), 0);
    // Every child waits for EOF on `go`: closing the last write end (the
    // parent's, after every fork) starts them all at once.
    std::vector<Child> children;
    for (int p = 0; p < processes; ++p)
        children.push_back(Spawn([&, p] {
            close(go[1]);
            close(stop[1]);
            return Writer(path, p, rounds, go[0]);
        }));
    if (with_reader)
        children.push_back(Spawn([&] {
            close(go[1]);
            close(stop[1]);
            return Reader(path, go[0], stop[0]);
        }));
    close(go[0]);
    close(go[1]);
    for (int p = 0; p < processes; ++p) {
        std::string r = Collect(children[size_t(p)]);
        EXPECT_EQ(r.substr(0, 2), "ok") << "writer " << p << ": " << r;
    }
    close(stop[1]);  // the reader stops
    if (with_reader) {
        std::string r = Collect(children.back());
        EXPECT_EQ(r.substr(0, 2), "ok") << "reader: " << r;
    }
    close(stop[0]);
}

void ExpectSums(const std::string& path, int processes, int rounds) {
    playbook_reset();
    std::string err = hakt::StderrOf([&] { EXPECT_EQ(playbook_load(path.c_str()), size_t(processes) + 1); });
    EXPECT_EQ(err, "") << "a process saw a bad file";
    PlaybookEntry e{};
    ASSERT_TRUE(playbook_lookup(Shared().signature, 0, &e));
    EXPECT_EQ(e.wins, uint32_t(processes * rounds)) << "wins on the shared entry were lost or counted twice";
    EXPECT_EQ(e.last_seen, Shared().last_seen + uint64_t(rounds - 1));
    for (int p = 0; p < processes; ++p) {
        ASSERT_TRUE(playbook_lookup(Own(p).signature, 0, &e)) << "process " << p << "'s entry is missing";
        EXPECT_EQ(e.helpful, uint32_t(rounds)) << "process " << p;
        EXPECT_EQ(e.draws, uint32_t(2 * rounds)) << "process " << p;
        EXPECT_EQ(e.strategy.purge_delay_ms, Own(p).strategy.purge_delay_ms);
    }
}

TEST_F(PlaybookProcesses, TwoProcessesFlushingAtOnceLoseNeitherOnesCounts) {
    constexpr int kRounds = 300;
    RunWriters(path_, 2, kRounds, false);
    ExpectSums(path_, 2, kRounds);
}

TEST_F(PlaybookProcesses, FourWritersAndAReaderAtOnceLoseNothingAndSeeNoTornFile) {
    constexpr int kRounds = 100;
    RunWriters(path_, 4, kRounds, true);
    ExpectSums(path_, 4, kRounds);
    EXPECT_TRUE(SetAside().empty()) << "a whole file was taken for a bad one";
    // Only the playbook and its lock file: no temporary file left behind.
    EXPECT_EQ(Entries().size(), 2u);
}

TEST_F(PlaybookProcesses, ThreadsOfOneProcessRecordingLookingUpAndFlushingAtOnceLoseNothing) {
    // The learner's thread records and flushes while another thread (an
    // exit handler, a report) looks up and flushes: the one lock keeps the
    // tables whole (run under TSan too).
    constexpr int kThreads = 4, kRounds = 200 / hakt::kSlowdown + 20;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int r = 0; r < kRounds; ++r) {
                PlaybookEntry s = Shared();
                s.wins = 1;
                s.last_seen += uint64_t(r);
                PlaybookEntry o = Own(t);
                o.helpful = 1;
                o.draws = 2;
                if (!playbook_record(s) || !playbook_record(o)) ++failures;
                PlaybookEntry found{};
                if (!playbook_lookup(Shared().signature, 0, &found) || found.wins == 0) ++failures;
                if (r % 8 == t % 8) playbook_flush(path_.c_str());  // may fail on a busy lock: deltas stay
            }
        });
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    for (int tries = 0; tries < 100 && !playbook_flush(path_.c_str()); ++tries) {
    }
    EXPECT_EQ(hakmem::learn::playbook_pending(), 0u);
    ExpectSums(path_, kThreads, kRounds);
}

TEST_F(PlaybookProcesses, AFlushWaitingOnAStoppedHolderOfTheLockGivesUpAndKeepsItsDeltas) {
    // A process holding the file lock forever (here: flock held by a child
    // that waits): the flush returns false after about a second instead of
    // blocking, and its deltas wait for the next flush.
    int ready[2], release[2];
    ASSERT_EQ(pipe(ready), 0);
    ASSERT_EQ(pipe(release), 0);
    pid_t holder = fork();
    if (holder == 0) {
        int fd = open((path_ + ".lock").c_str(), O_RDWR | O_CREAT, 0600);
        if (fd < 0 || flock(fd, LOCK_EX) != 0) _exit(1);
        (void)!write(ready[1], "x", 1);
        char c;
        (void)!read(release[0], &c, 1);
        _exit(0);
    }
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    ASSERT_TRUE(playbook_record(Shared()));
    EXPECT_FALSE(playbook_flush(path_.c_str()));
    EXPECT_EQ(hakmem::learn::playbook_pending(), 1u);
    ASSERT_EQ(write(release[1], "x", 1), 1);
    int status;
    waitpid(holder, &status, 0);
    EXPECT_TRUE(playbook_flush(path_.c_str()));
    EXPECT_EQ(hakmem::learn::playbook_pending(), 0u);
    for (int fd : {ready[0], ready[1], release[0], release[1]}) close(fd);
}

}  // namespace
