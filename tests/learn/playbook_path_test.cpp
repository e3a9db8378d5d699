// Where a program's playbook lives (learn/playbook_path.cpp): HAKMEM_PLAYBOOK
// when set ("off": nowhere), else one file per executable in the user's
// cache directory, named by the executable and a hash of its identity.
// Each case changes the environment and re-reads the options in a forked
// child, so the test process's own environment and options stay as they
// were.
#include <gtest/gtest.h>

#include <elf.h>
#include <link.h>

#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include "learn/playbook.h"
#include "learn/playbook_path.h"
#include "playbook_test_support.h"
#include "policy/options.h"

namespace {

using hakmem::learn::playbook_default_path;
using hakt::InChild;

using PlaybookPath = hakt::PlaybookDir;

// In a child: sets (or, for a null value, unsets) the variables, re-reads
// the options and returns the default path, or "<none>".
std::string DefaultPathWith(const std::vector<std::pair<const char*, const char*>>& env) {
    return InChild([&] {
        for (const auto& [name, value] : env) {
            if (value != nullptr) setenv(name, value, 1);
            else unsetenv(name);
        }
        hakmem::options_load(false);
        char buf[4096];
        return playbook_default_path(buf, sizeof buf) ? std::string(buf) : std::string("<none>");
    });
}

std::string ExeBaseName() {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "";
    std::string path(exe, size_t(n));
    return path.substr(path.rfind('/') + 1);
}

// `<dir><exe base name>-<16 lowercase hex>.playbook`
bool IsPerProgramPath(const std::string& path, const std::string& dir) {
    const std::string head = dir + ExeBaseName() + "-", tail = ".playbook";
    if (path.size() != head.size() + 16 + tail.size() || path.rfind(head, 0) != 0) return false;
    if (path.compare(head.size() + 16, tail.size(), tail) != 0) return false;
    for (size_t i = head.size(); i < head.size() + 16; ++i)
        if (!std::isxdigit(static_cast<unsigned char>(path[i])) || std::isupper(static_cast<unsigned char>(path[i])))
            return false;
    return true;
}

TEST_F(PlaybookPath, OffMeansNoPlaybook) {
    EXPECT_EQ(DefaultPathWith({{"HAKMEM_PLAYBOOK", "off"}}), "<none>");
    EXPECT_EQ(DefaultPathWith({{"HAKMEM_PLAYBOOK", "OFF"}}), "<none>");
}

TEST_F(PlaybookPath, AGivenPathIsUsedAsIs) {
    const std::string given = dir_ + "/mine.playbook";
    EXPECT_EQ(DefaultPathWith({{"HAKMEM_PLAYBOOK", given.c_str()}, {"XDG_CACHE_HOME", dir_.c_str()}}), given);
    EXPECT_EQ(Entries().size(), 0u) << "nothing is created for a given path";
}

TEST_F(PlaybookPath, UnsetItIsAFilePerProgramUnderXdgCacheHome) {
    const std::string cache = dir_ + "/cache";  // missing: created
    std::string path = DefaultPathWith({{"HAKMEM_PLAYBOOK", nullptr}, {"XDG_CACHE_HOME", cache.c_str()}});
    EXPECT_TRUE(IsPerProgramPath(path, cache + "/hakmem/")) << path;
    struct stat st;
    ASSERT_EQ(stat((cache + "/hakmem").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(stat(cache.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_FALSE(hakt::Exists(path)) << "finding the path creates no playbook";
    EXPECT_EQ(DefaultPathWith({{"HAKMEM_PLAYBOOK", nullptr}, {"XDG_CACHE_HOME", cache.c_str()}}), path)
        << "the same program gets the same path every run";
    EXPECT_EQ(DefaultPathWith({{"HAKMEM_PLAYBOOK", ""}, {"XDG_CACHE_HOME", cache.c_str()}}), path)
        << "an empty HAKMEM_PLAYBOOK is unset";
}

TEST_F(PlaybookPath, WithoutXdgCacheHomeItIsUnderHomeDotCache) {
    const std::string home = dir_ + "/home";
    ASSERT_EQ(mkdir(home.c_str(), 0700), 0);
    std::string path =
        DefaultPathWith({{"HAKMEM_PLAYBOOK", nullptr}, {"XDG_CACHE_HOME", nullptr}, {"HOME", home.c_str()}});
    EXPECT_TRUE(IsPerProgramPath(path, home + "/.cache/hakmem/")) << path;
    // A relative XDG_CACHE_HOME is ignored, as the XDG rules say.
    EXPECT_EQ(DefaultPathWith({{"HAKMEM_PLAYBOOK", nullptr}, {"XDG_CACHE_HOME", "relative/cache"},
                               {"HOME", home.c_str()}}),
              path);
    EXPECT_EQ(DefaultPathWith({{"HAKMEM_PLAYBOOK", nullptr}, {"XDG_CACHE_HOME", nullptr}, {"HOME", nullptr}}),
              "<none>");
}

TEST_F(PlaybookPath, APathThatDoesNotFitTheBufferIsRefused) {
    std::string got = InChild([&] {
        setenv("HAKMEM_PLAYBOOK", (dir_ + "/a-rather-long-name.playbook").c_str(), 1);
        hakmem::options_load(false);
        char small[16];
        return std::string(playbook_default_path(small, sizeof small) ? "fits" : "refused");
    });
    EXPECT_EQ(got, "refused");
}

// The build id as the loader mapped it: the main program's PT_NOTE segments
// in memory, found through dl_iterate_phdr, independently of the file.
std::vector<uint8_t> BuildIdInMemory() {
    std::vector<uint8_t> id;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* out) -> int {
            auto* found = static_cast<std::vector<uint8_t>*>(out);
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr)& ph = info->dlpi_phdr[i];
                if (ph.p_type != PT_NOTE) continue;
                const auto* p = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
                size_t align = ph.p_align == 8 ? 8 : 4, off = 0;
                while (off + sizeof(ElfW(Nhdr)) <= ph.p_memsz) {
                    const auto* nh = reinterpret_cast<const ElfW(Nhdr)*>(p + off);
                    size_t name = off + sizeof *nh;
                    size_t desc = name + ((nh->n_namesz + align - 1) & ~(align - 1));
                    if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                        std::memcmp(p + name, "GNU", 4) == 0) {
                        found->assign(p + desc, p + desc + nh->n_descsz);
                        return 1;
                    }
                    off = desc + ((nh->n_descsz + align - 1) & ~(align - 1));
                }
            }
            return 1;  // the first object is the main program: stop there
        },
        &id);
    return id;
}

TEST(ExeIdentity, TheBuildIdReadFromTheFileIsTheOneTheLoaderMapped) {
    std::vector<uint8_t> in_memory = BuildIdInMemory();
    if (in_memory.empty()) GTEST_SKIP() << "this test binary was linked without a build id";
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    uint8_t id[64];
    size_t len = 0;
    ASSERT_TRUE(hakmem::learn::elf_build_id(fd, id, sizeof id, &len));
    close(fd);
    EXPECT_EQ(std::vector<uint8_t>(id, id + len), in_memory);
}

TEST(ExeIdentity, AFileThatIsNotElfHasNoBuildId) {
    char name[] = "/tmp/hakmem_not_elf_XXXXXX";
    int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    unlink(name);
    const char text[] = "\x7f" "ELF but not really, just text that is long enough to be read as a header...";
    ASSERT_EQ(write(fd, text, sizeof text), ssize_t(sizeof text));
    uint8_t id[64];
    size_t len = 0;
    EXPECT_FALSE(hakmem::learn::elf_build_id(fd, id, sizeof id, &len));
    close(fd);
}

TEST(ExeIdentity, TheIdentityIsStableAndNamesTheExecutable) {
    uint64_t a = 0, b = 1;
    char base[80], base2[80];
    ASSERT_TRUE(hakmem::learn::exe_identity(&a, base, sizeof base));
    ASSERT_TRUE(hakmem::learn::exe_identity(&b, base2, sizeof base2));
    EXPECT_EQ(a, b);
    EXPECT_EQ(std::string(base), ExeBaseName());
    EXPECT_NE(a, 0u);
}

}  // namespace
