// Which environment the options come from: HAKMEM_* normally, the defaults
// in a secure-execution (setuid) process, whose environment belongs to the
// less privileged user who started it.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "os/os_env.h"
#include "policy/options.h"
#include "probe_run.h"

extern char** environ;

namespace {

using hakmem::Option;
using hakmem::option_get;
using hakmem::option_get_string;
using hakmem::options_load;

// Sets HAKMEM_* variables for one test, then unsets them and re-reads the
// options, so later tests see the environment the binary started with.
class OptionsEnvironment : public ::testing::Test {
protected:
    void Set(const char* name, const char* value) {
        ASSERT_EQ(setenv(name, value, 1), 0);
        names_.push_back(name);
    }
    void TearDown() override {
        for (const char* n : names_) unsetenv(n);
        options_load(false);
    }
    std::vector<const char*> names_;
};

TEST_F(OptionsEnvironment, AnOrdinaryProcessReadsHakmemVariables) {
    Set("HAKMEM_PURGE_DELAY_MS", "7");
    Set("HAKMEM_STATS_JSON", "/tmp/hakmem-options-test.json");
    Set("HAKMEM_HEAP_PROFILE", "/tmp/hakmem-options-test.%p.heap");
    options_load(false);
    EXPECT_EQ(option_get(Option::kPurgeDelayMs), 7);
    ASSERT_NE(option_get_string(Option::kStatsJson), nullptr);
    EXPECT_STREQ(option_get_string(Option::kStatsJson), "/tmp/hakmem-options-test.json");
    EXPECT_STREQ(option_get_string(Option::kHeapProfile), "/tmp/hakmem-options-test.%p.heap");
}

TEST_F(OptionsEnvironment, IgnoringTheEnvironmentGivesEveryOptionItsDefault) {
    Set("HAKMEM_PURGE_DELAY_MS", "7");
    Set("HAKMEM_STATS_JSON", "/tmp/hakmem-options-test.json");
    Set("HAKMEM_HEAP_PROFILE", "/tmp/hakmem-options-test.heap");
    Set("HAKMEM_VERBOSE", "1");
    options_load(true);
    EXPECT_EQ(option_get(Option::kPurgeDelayMs), 250);
    EXPECT_EQ(option_get_string(Option::kStatsJson), nullptr);
    EXPECT_EQ(option_get_string(Option::kHeapProfile), nullptr);
    EXPECT_EQ(option_get(Option::kStatsJson), 0);
    EXPECT_EQ(option_get(Option::kVerbose), 0);
}

TEST(SecureExecution, ATestProcessIsNotInSecureExecutionMode) {
    EXPECT_FALSE(hakmem::os::secure_execution());
}

// ---- a real setuid program ------------------------------------------------

using hakt::ProbeRun;
using hakt::RunProbe;

bool CopyFile(const std::string& from, const std::string& to) {
    std::ifstream in(from, std::ios::binary);
    std::ofstream out(to, std::ios::binary);
    out << in.rdbuf();
    return in.good() && out.good();
}

bool NoNewPrivs() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("NoNewPrivs:", 0) == 0) return line.find('1') != std::string::npos;
    return false;
}

// A directory anyone may write (so `nobody` could create the JSON file if
// hakmem let it) holding two copies of the probe: one plain, one setuid
// to `nobody`. Run as root, the setuid copy has ruid 0 and euid nobody, so
// the kernel starts it with AT_SECURE = 1, as it would a setuid-root
// program started by an ordinary user.
class SetuidProgram : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root to make a setuid copy of the probe";
        const passwd* nobody = getpwnam("nobody");
        if (nobody == nullptr) GTEST_SKIP() << "no user `nobody` to make the probe setuid to";
        char pattern[] = "/tmp/hakmem_setuid_XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
        ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
        struct statvfs fs;
        ASSERT_EQ(statvfs(dir_.c_str(), &fs), 0);
        if (fs.f_flag & ST_NOSUID) GTEST_SKIP() << dir_ << " is on a nosuid file system: setuid bits are ignored";
        if (NoNewPrivs()) GTEST_SKIP() << "this process has no_new_privs: the kernel ignores setuid bits";
        plain_ = dir_ + "/probe";
        setuid_ = dir_ + "/probe-setuid";
        ASSERT_TRUE(CopyFile(HAKMEM_SECURE_PROBE, plain_));
        ASSERT_TRUE(CopyFile(HAKMEM_SECURE_PROBE, setuid_));
        ASSERT_EQ(chmod(plain_.c_str(), 0755), 0);
        ASSERT_EQ(chown(setuid_.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
        ASSERT_EQ(chmod(setuid_.c_str(), 04755), 0);  // after chown, which clears the bit
        json_ = dir_ + "/stats.json";
        profile_ = dir_ + "/heap.profile";
    }
    void TearDown() override {
        if (dir_.empty()) return;
        for (const std::string& f : {plain_, setuid_, json_, profile_}) unlink(f.c_str());
        rmdir(dir_.c_str());
    }
    std::vector<std::string> Environment() const {
        // HAKMEM_PURGE_DELAY is no option: warned about, but not in the setuid copy.
        return {"HAKMEM_PURGE_DELAY_MS=7", "HAKMEM_STATS_JSON=" + json_, "HAKMEM_HEAP_PROFILE=" + profile_,
                "HAKMEM_PURGE_DELAY=0"};
    }
    std::string dir_, plain_, setuid_, json_, profile_;
};

TEST_F(SetuidProgram, TheSameProbeWithoutTheSetuidBitHonoursTheEnvironment) {
    ProbeRun run = RunProbe(plain_, Environment());
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.fields["at_secure"], "0");
    EXPECT_EQ(run.fields["purge_delay_ms"], "7");
    EXPECT_EQ(access(json_.c_str(), F_OK), 0) << "HAKMEM_STATS_JSON was not written: " << run.err;
    EXPECT_EQ(access(profile_.c_str(), F_OK), 0) << "HAKMEM_HEAP_PROFILE was not written: " << run.err;
    EXPECT_NE(run.err.find("HAKMEM_PURGE_DELAY is not a hakmem option"), std::string::npos) << run.err;
}

TEST_F(SetuidProgram, IgnoresHakmemVariablesAndWritesNoStatsFileOrHeapProfile) {
    ProbeRun run = RunProbe(setuid_, Environment());
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    ASSERT_EQ(run.fields["at_secure"], "1") << "the setuid copy did not run in secure-execution mode";
    EXPECT_EQ(run.fields["purge_delay_ms"], "250") << "HAKMEM_PURGE_DELAY_MS=7 was honoured";
    EXPECT_NE(access(json_.c_str(), F_OK), 0) << "HAKMEM_STATS_JSON was honoured: " << json_ << " exists";
    EXPECT_NE(access(profile_.c_str(), F_OK), 0) << "HAKMEM_HEAP_PROFILE was honoured: " << profile_ << " exists";
    EXPECT_EQ(run.err, "") << "a setuid program must print nothing about the invoking user's variables";
}

}  // namespace

// The option fuzzer (fuzz/options_fuzz.cpp) reaches an option's parser
// through its name in the dictionary: a name missing there is an option the
// short smoke run of `make test` almost never tries.
TEST(OptionFuzzerDictionary, NamesEveryOption) {
    std::ifstream in(HAKMEM_OPTIONS_DICT);
    ASSERT_TRUE(in.good()) << HAKMEM_OPTIONS_DICT;
    std::stringstream text;
    text << in.rdbuf();
    for (int i = 0; i < static_cast<int>(Option::kCount); ++i) {
        std::string entry = std::string("\"") + hakmem::option_name(static_cast<Option>(i)) + "=\"";
        EXPECT_NE(text.str().find(entry), std::string::npos) << entry << " is missing from " << HAKMEM_OPTIONS_DICT;
    }
}
