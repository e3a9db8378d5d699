#include "learn/playbook_path.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learn/playbook.h"
#include "os/os_env.h"
#include "policy/options.h"

extern "C" char** environ;

namespace hakmem::learn {
namespace {

// The longest base name kept in the file name: the hash identifies the
// program, the name only helps a human find its file.
constexpr size_t kMaxBaseName = 64;

bool pread_all(int fd, void* buf, size_t n, uint64_t off) {
    auto* p = static_cast<char*>(buf);
    while (n > 0) {
        ssize_t k = pread(fd, p, n, static_cast<off_t>(off));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k, n -= static_cast<size_t>(k), off += static_cast<uint64_t>(k);
    }
    return true;
}

// Notes are (namesz, descsz, type, name padded, desc padded); the padding
// is the segment's alignment (4, or 8 for some newer notes).
bool find_build_id(const uint8_t* notes, size_t n, size_t align, uint8_t* out, size_t cap, size_t* len) {
    auto pad = [align](size_t v) { return (v + align - 1) & ~(align - 1); };
    size_t off = 0;
    while (off + 12 <= n) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, notes + off, 4);
        memcpy(&descsz, notes + off + 4, 4);
        memcpy(&type, notes + off + 8, 4);
        size_t name = off + 12;
        if (namesz > n || descsz > n) return false;
        size_t desc = name + pad(namesz);
        if (desc + descsz > n) return false;
        if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(notes + name, "GNU", 4) == 0) {
            if (descsz == 0 || descsz > cap) return false;
            memcpy(out, notes + desc, descsz);
            *len = descsz;
            return true;
        }
        off = desc + pad(descsz);
    }
    return false;
}

template <class Ehdr, class Phdr>
bool build_id_from(int fd, uint8_t* out, size_t cap, size_t* len) {
    Ehdr eh;
    if (!pread_all(fd, &eh, sizeof eh, 0) || eh.e_phentsize != sizeof(Phdr)) return false;
    for (unsigned i = 0; i < eh.e_phnum && i < 256; ++i) {
        Phdr ph;
        if (!pread_all(fd, &ph, sizeof ph, eh.e_phoff + uint64_t{i} * sizeof(Phdr))) return false;
        if (ph.p_type != PT_NOTE) continue;
        // A build id note is 36 bytes; note segments are a few hundred.
        uint8_t notes[2048];
        size_t n = ph.p_filesz < sizeof notes ? static_cast<size_t>(ph.p_filesz) : sizeof notes;
        if (!pread_all(fd, notes, n, ph.p_offset)) continue;
        if (find_build_id(notes, n, ph.p_align == 8 ? 8 : 4, out, cap, len)) return true;
    }
    return false;
}

// FNV-1a, then a final mix so that similar inputs differ in every hex digit.
uint64_t hash_bytes(uint64_t h, const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}
uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 33);
}

// Creates `dir` (0700) unless it exists as a directory.
bool make_dir(const char* dir) {
    if (mkdir(dir, 0700) == 0) return true;
    struct stat st;
    return errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

bool elf_build_id(int fd, uint8_t* out, size_t cap, size_t* len) {
    unsigned char ident[EI_NIDENT];
    if (!pread_all(fd, ident, sizeof ident, 0) || memcmp(ident, ELFMAG, SELFMAG) != 0) return false;
    constexpr unsigned char kNative = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
    if (ident[EI_DATA] != kNative) return false;
    if (ident[EI_CLASS] == ELFCLASS64) return build_id_from<Elf64_Ehdr, Elf64_Phdr>(fd, out, cap, len);
    if (ident[EI_CLASS] == ELFCLASS32) return build_id_from<Elf32_Ehdr, Elf32_Phdr>(fd, out, cap, len);
    return false;
}

bool exe_identity(uint64_t* hash, char* base, size_t n) {
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0 || n == 0) return false;
    exe[k] = 0;
    uint64_t h = hash_bytes(0xcbf29ce484222325u, exe, static_cast<size_t>(k));
    // /proc/self/exe opens the running file even if its path was replaced.
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        uint8_t id[64];
        size_t id_len = 0;
        struct stat st;
        if (elf_build_id(fd, id, sizeof id, &id_len)) {
            h = hash_bytes(hash_bytes(h, "build-id", 8), id, id_len);
        } else if (fstat(fd, &st) == 0) {
            const uint64_t parts[] = {static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_mtim.tv_sec),
                                      static_cast<uint64_t>(st.st_mtim.tv_nsec)};
            h = hash_bytes(hash_bytes(h, "size-mtime", 10), parts, sizeof parts);
        }
        close(fd);
    }
    *hash = mix(h);
    const char* slash = strrchr(exe, '/');
    const char* name = slash != nullptr ? slash + 1 : exe;
    size_t i = 0;
    for (; name[i] != 0 && i < kMaxBaseName && i + 1 < n; ++i) {
        char c = name[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                     c == '_' || c == '-';
        base[i] = plain ? c : '_';
    }
    base[i] = 0;
    return true;
}

bool playbook_default_path(char* buf, size_t size) {
    // A setuid program keeps no playbook: its environment (XDG_CACHE_HOME,
    // HOME) belongs to the invoking user, who could otherwise make it create
    // directories and files where they choose, or feed it a strategy.
    if (os::secure_execution()) return false;
    if (const char* set = option_get_string(Option::kPlaybook)) {
        if (strcasecmp(set, "off") == 0) return false;
        int k = snprintf(buf, size, "%s", set);
        return k > 0 && static_cast<size_t>(k) < size;
    }
    char dir[4096];
    int k;
    const char* xdg = os::env_find(environ, "XDG_CACHE_HOME");
    const char* home = os::env_find(environ, "HOME");
    // The XDG base directory rules: a relative XDG_CACHE_HOME is ignored.
    if (xdg != nullptr && xdg[0] == '/') {
        k = snprintf(dir, sizeof dir, "%s", xdg);
    } else if (home != nullptr && home[0] == '/') {
        k = snprintf(dir, sizeof dir, "%s/.cache", home);
    } else {
        return false;
    }
    if (k <= 0 || static_cast<size_t>(k) >= sizeof dir || !make_dir(dir)) return false;
    size_t len = static_cast<size_t>(k);
    k = snprintf(dir + len, sizeof dir - len, "/hakmem");
    if (k <= 0 || static_cast<size_t>(k) >= sizeof dir - len || !make_dir(dir)) return false;
    uint64_t id;
    char base[kMaxBaseName + 1];
    if (!exe_identity(&id, base, sizeof base)) return false;
    k = snprintf(buf, size, "%s/%s-%016llx.playbook", dir, base, static_cast<unsigned long long>(id));
    return k > 0 && static_cast<size_t>(k) < size;
}

}  // namespace hakmem::learn
