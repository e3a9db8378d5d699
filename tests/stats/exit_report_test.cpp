// The HAKMEM_SHOW_STATS report at exit (stats/exit_report.h): it reaches
// the user when the program closed stderr, never lands in a file the
// program opened on descriptor 2 since, and can go to a file instead.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <algorithm>

#include "os/stderr_copy.h"
#include "policy/options.h"
#include "probe_run.h"

namespace {

using hakt::ProbeRun;
using hakt::RunProbe;

// The names in `dir`, one per line, sorted.
std::string ListDir(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    std::string out;
    for (const std::string& n : names) out += n + "\n";
    return out;
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class ExitReport : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/hakmem_exit_report_XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
};

TEST_F(ExitReport, ReachesTheUserWhenTheProgramClosedStderrBeforeExit) {
    ProbeRun run = RunProbe(HAKMEM_CLOSE_STDERR_PROBE, {"HAKMEM_SHOW_STATS=1"});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.fields["closed"], "1");
    EXPECT_EQ(run.err.rfind("hakmem stats", 0), 0u) << "no summary on stderr: " << run.err;
    EXPECT_NE(run.err.find("hakmem telemetry"), std::string::npos) << run.err;
}

TEST_F(ExitReport, NeverLandsInAFileTheProgramOpenedOnDescriptorTwo) {
    std::string file = dir_ + "/program-output";
    ProbeRun run = RunProbe(HAKMEM_CLOSE_STDERR_PROBE, {"HAKMEM_SHOW_STATS=1", "PROBE_REOPEN=" + file});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(ReadFile(file), "program data\n");
    EXPECT_EQ(run.err.rfind("hakmem stats", 0), 0u) << "the report did not reach the original stderr: " << run.err;
}

TEST_F(ExitReport, APathValueWritesTheReportToThatFileAndNothingToStderr) {
    std::string path = dir_ + "/report.%p.txt";
    ProbeRun run = RunProbe(HAKMEM_CLOSE_STDERR_PROBE, {"HAKMEM_SHOW_STATS=" + path});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.err, "");
    std::string listing = ListDir(dir_);
    ASSERT_EQ(listing.rfind("report.", 0), 0u) << "no report file: " << listing;
    std::string name = listing.substr(0, listing.find('\n'));
    EXPECT_NE(name.find(".txt"), std::string::npos) << name;
    EXPECT_EQ(name.find("%p"), std::string::npos) << "%p was not replaced by the pid: " << name;
    std::string text = ReadFile(dir_ + "/" + name);
    EXPECT_EQ(text.rfind("hakmem stats", 0), 0u) << text;
    EXPECT_NE(text.find("hakmem telemetry"), std::string::npos) << text;
}

TEST_F(ExitReport, AnUnwritablePathGivesOneWarningNamingIt) {
    std::string path = dir_ + "/no-such-dir/report.txt";
    ProbeRun run = RunProbe(HAKMEM_CLOSE_STDERR_PROBE, {"HAKMEM_SHOW_STATS=" + path, "PROBE_KEEP_STDERR=1"});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.err, "hakmem: warning: HAKMEM_SHOW_STATS: cannot write " + path + "\n");
    EXPECT_EQ(ListDir(dir_), "");
}

// ---- the kept copy itself (os/stderr_copy.h), in a child --------------------

// What the child found, as its exit status: 0 = all held.
int CheckKeptCopy() {
    hakmem::os::stderr_forget_for_testing();
    hakmem::os::stderr_keep();
    int fd = hakmem::os::stderr_for_report();
    if (fd < 512) return 1;  // not the high descriptor
    if ((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0) return 2;  // would leak into programs it execs
    struct stat kept, err;
    if (fstat(fd, &kept) != 0 || fstat(STDERR_FILENO, &err) != 0) return 3;
    if (kept.st_dev != err.st_dev || kept.st_ino != err.st_ino) return 4;  // not stderr's file
    // The program replaces its copy with another file: the report goes to fd 2 if that is still stderr...
    int other = open("/dev/null", O_WRONLY);
    if (other < 0 || dup2(other, fd) != fd) return 5;
    if (hakmem::os::stderr_for_report() != STDERR_FILENO) return 6;
    // ...and nowhere when fd 2 is another file too.
    if (dup2(other, STDERR_FILENO) != STDERR_FILENO) return 7;
    if (hakmem::os::stderr_for_report() != -1) return 8;
    return 0;
}

TEST(StderrCopy, IsAHighCloseOnExecCopyUsedOnlyWhileItIsStillStderrsFile) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(CheckKeptCopy());
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "CheckKeptCopy failed at step " << WEXITSTATUS(status);
}

// ---- the option's values ---------------------------------------------------

class ShowStatsOption : public ::testing::Test {
protected:
    void TearDown() override {
        unsetenv("HAKMEM_SHOW_STATS");
        hakmem::options_load(false);
    }
    void Load(const char* value) {
        setenv("HAKMEM_SHOW_STATS", value, 1);
        hakmem::options_load(false);
    }
};

TEST_F(ShowStatsOption, ABoolValueMeansStderr) {
    Load("yes");
    EXPECT_EQ(hakmem::option_get(hakmem::Option::kShowStats), 1);
    EXPECT_EQ(hakmem::option_get_string(hakmem::Option::kShowStats), nullptr);
}

TEST_F(ShowStatsOption, AValueWithASlashIsAPath) {
    Load("./stats.txt");
    EXPECT_EQ(hakmem::option_get(hakmem::Option::kShowStats), 1);
    ASSERT_NE(hakmem::option_get_string(hakmem::Option::kShowStats), nullptr);
    EXPECT_STREQ(hakmem::option_get_string(hakmem::Option::kShowStats), "./stats.txt");
}

TEST_F(ShowStatsOption, AWordThatIsNeitherIsMalformedAndLeavesItOff) {
    Load("ture");
    EXPECT_EQ(hakmem::option_get(hakmem::Option::kShowStats), 0);
    EXPECT_EQ(hakmem::option_get_string(hakmem::Option::kShowStats), nullptr);
}

}  // namespace
