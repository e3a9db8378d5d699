// A setuid program keeps no playbook: its environment (HAKMEM_PLAYBOOK,
// XDG_CACHE_HOME, HOME) belongs to the less privileged user who started it,
// who could otherwise make it create directories and files where they
// choose, or feed it a strategy. Run as root, a copy of the probe setuid to
// `nobody` starts with AT_SECURE = 1 (ruid 0, euid nobody), as a
// setuid-root program started by an ordinary user would; skipped otherwise.
#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <fstream>
#include <string>
#include <vector>

#include "playbook_test_support.h"
#include "probe_run.h"

namespace {

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

class SetuidPlaybook : public hakt::PlaybookDir {
protected:
    void SetUp() override {
        hakt::PlaybookDir::SetUp();
        if (geteuid() != 0) GTEST_SKIP() << "needs root to make a setuid copy of the probe";
        const passwd* nobody = getpwnam("nobody");
        if (nobody == nullptr) GTEST_SKIP() << "no user `nobody` to make the probe setuid to";
        ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
        struct statvfs fs;
        ASSERT_EQ(statvfs(dir_.c_str(), &fs), 0);
        if (fs.f_flag & ST_NOSUID) GTEST_SKIP() << dir_ << " is on a nosuid file system: setuid bits are ignored";
        if (NoNewPrivs()) GTEST_SKIP() << "this process has no_new_privs: the kernel ignores setuid bits";
        plain_ = dir_ + "/probe";
        setuid_ = dir_ + "/probe-setuid";
        ASSERT_TRUE(CopyFile(HAKMEM_PLAYBOOK_PROBE, plain_));
        ASSERT_TRUE(CopyFile(HAKMEM_PLAYBOOK_PROBE, setuid_));
        ASSERT_EQ(chmod(plain_.c_str(), 0755), 0);
        ASSERT_EQ(chown(setuid_.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
        ASSERT_EQ(chmod(setuid_.c_str(), 04755), 0);  // after chown, which clears the bit
        given_ = dir_ + "/given.playbook";
        cache_ = dir_ + "/cache";
    }
    std::string plain_, setuid_, given_, cache_;
};

TEST_F(SetuidPlaybook, TheProbeWithoutTheSetuidBitUsesTheGivenPlaybook) {
    ProbeRun run = RunProbe(plain_, {"HAKMEM_PLAYBOOK=" + given_});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.fields["at_secure"], "0");
    EXPECT_EQ(run.fields["playbook"], given_);
}

TEST_F(SetuidPlaybook, ASetuidProgramHasNoPlaybookWhateverItsEnvironmentSays) {
    ProbeRun run = RunProbe(setuid_, {"HAKMEM_PLAYBOOK=" + given_});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    ASSERT_EQ(run.fields["at_secure"], "1") << "the setuid copy did not run in secure-execution mode";
    EXPECT_EQ(run.fields["playbook"], "none");

    run = RunProbe(setuid_, {"XDG_CACHE_HOME=" + cache_});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.fields["playbook"], "none");
    EXPECT_FALSE(hakt::Exists(cache_)) << "the setuid program created the invoking user's cache directory";
}

}  // namespace
