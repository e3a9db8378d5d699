// The ABI version contract: hak_abi_version() and hak_check_abi_version().
#include <gtest/gtest.h>

#include <string>

#include "hakmem_test_support.h"

namespace {

constexpr uint32_t Version(uint32_t major, uint32_t minor) { return (major << 16) | minor; }

// True when `line` names `version` as "M.m", as its full value in hex
// (0x..., any padding) or as its full value in decimal.
bool NamesVersion(const std::string& line, uint32_t version) {
    const std::string dotted =
        std::to_string(HAKMEM_ABI_MAJOR_OF(version)) + "." + std::to_string(HAKMEM_ABI_MINOR_OF(version));
    if (line.find(dotted) != std::string::npos) return true;
    for (uint64_t v : hakt::HexNumbers(line))
        if (v == version) return true;
    // Decimal: a whole number token equal to the version.
    for (size_t i = 0; i < line.size();) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j]))) ++j;
        if (std::strtoull(line.substr(i, j - i).c_str(), nullptr, 10) == version) return true;
        i = j;
    }
    return false;
}

TEST(Abi, AbiVersionEqualsTheHeadersVersion) {
    EXPECT_EQ(hak_abi_version(), HAKMEM_ABI_VERSION);
    EXPECT_EQ(HAKMEM_ABI_MAJOR_OF(hak_abi_version()), uint32_t{HAKMEM_ABI_VERSION_MAJOR});
    EXPECT_EQ(HAKMEM_ABI_MINOR_OF(hak_abi_version()), uint32_t{HAKMEM_ABI_VERSION_MINOR});
}

TEST(Abi, CheckAbiVersionAcceptsTheExactVersionSilently) {
    testing::internal::CaptureStderr();
    int rc = hak_check_abi_version(HAKMEM_ABI_VERSION);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(rc, HAK_OK);
    EXPECT_EQ(err, "");
}

TEST(Abi, CheckAbiVersionAcceptsTheSameMajorWithAnyMinorSilently) {
    for (uint32_t minor : {0u, 1u, 7u, 0x1234u, 0xFFFFu}) {
        testing::internal::CaptureStderr();
        int rc = hak_check_abi_version(Version(HAKMEM_ABI_VERSION_MAJOR, minor));
        std::string err = testing::internal::GetCapturedStderr();
        EXPECT_EQ(rc, HAK_OK) << "minor " << minor;
        EXPECT_EQ(err, "") << "minor " << minor;
    }
}

TEST(Abi, CheckAbiVersionRejectsADifferentMajorWithOneLineNamingBothVersions) {
    const uint32_t library = HAKMEM_ABI_VERSION;
    const uint32_t majors[] = {HAKMEM_ABI_VERSION_MAJOR + 1, HAKMEM_ABI_VERSION_MAJOR + 8, 0xFFFF};
    for (uint32_t major : majors) {
        const uint32_t client = Version(major, 3);
        testing::internal::CaptureStderr();
        int rc = hak_check_abi_version(client);
        std::string err = testing::internal::GetCapturedStderr();
        EXPECT_EQ(rc, HAK_E_ABI_MISMATCH) << "client major " << major;
        auto lines = hakt::Lines(err);
        ASSERT_EQ(lines.size(), 1u) << "expected exactly one line on stderr, got:\n" << err;
        EXPECT_TRUE(NamesVersion(lines[0], client)) << "the line does not name the client version: " << lines[0];
        EXPECT_TRUE(NamesVersion(lines[0], library)) << "the line does not name the library version: " << lines[0];
    }
    if (HAKMEM_ABI_VERSION_MAJOR > 0) {
        testing::internal::CaptureStderr();
        int rc = hak_check_abi_version(Version(HAKMEM_ABI_VERSION_MAJOR - 1, HAKMEM_ABI_VERSION_MINOR));
        std::string err = testing::internal::GetCapturedStderr();
        EXPECT_EQ(rc, HAK_E_ABI_MISMATCH) << "an older major must be rejected too";
        EXPECT_EQ(hakt::Lines(err).size(), 1u) << err;
    }
}

}  // namespace
