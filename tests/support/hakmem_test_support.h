// Helpers shared by hakmem's unit, stress and preloaded tests.
//
// The tests are clients of the allocator, so they use std containers freely.
// Three build modes select which entry points a test drives:
//   - default (sanitizer builds, HAKMEM_OVERRIDE=OFF): the hak_* API only;
//   - HAKMEM_TEST_OVERRIDE=1 (release/debug with the override compiled in and
//     libhakmem.a linked): hak_* and the malloc family, both served by hakmem;
//   - HAKMEM_TEST_PRELOADED=1 (nothing linked, libhakmem.so arrives through
//     LD_PRELOAD): the malloc family, with hak_get_stats looked up by dlsym.
#ifndef HAKMEM_TEST_SUPPORT_H
#define HAKMEM_TEST_SUPPORT_H

#include <hakmem/hakmem.h>

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <ostream>
#include <random>
#include <string>
#include <vector>

// C23's sized frees are not declared by glibc 2.36. A weak reference lets the
// tests notice whether the override exports them (null when it does not).
extern "C" {
void free_sized(void* ptr, size_t size) noexcept __attribute__((weak));
void free_aligned_sized(void* ptr, size_t alignment, size_t size) noexcept __attribute__((weak));
}

#if defined(__SANITIZE_THREAD__)
#define HAKMEM_TEST_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HAKMEM_TEST_ASAN 1
#endif
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HAKMEM_TEST_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define HAKMEM_TEST_ASAN 1
#endif
#endif

#ifndef HAKMEM_TEST_OVERRIDE
#define HAKMEM_TEST_OVERRIDE 0
#endif
#ifndef HAKMEM_TEST_PRELOADED
#define HAKMEM_TEST_PRELOADED 0
#endif

namespace hakt {

#if defined(HAKMEM_TEST_TSAN)
// TSan runs roughly ten times slower; iteration counts are divided by this.
inline constexpr int kSlowdown = 10;
#elif defined(HAKMEM_TEST_ASAN)
inline constexpr int kSlowdown = 3;
#else
inline constexpr int kSlowdown = 1;
#endif

inline constexpr size_t KiB = size_t{1} << 10;
inline constexpr size_t MiB = size_t{1} << 20;

// Keeps the compiler from folding an allocator call or a size it can see.
template <class T>
inline T Opaque(T v) {
    asm volatile("" : "+r"(v));
    return v;
}
inline void Escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

inline bool IsAligned(const void* p, size_t alignment) {
    return (reinterpret_cast<uintptr_t>(p) & (alignment - 1)) == 0;
}

// ---- byte patterns ------------------------------------------------------
// Each block is filled with a pattern derived from its id. Word w of the
// pattern depends only on (id, w), so a prefix of a block keeps its pattern
// across realloc, and two overlapping blocks cannot both verify.
inline uint64_t Mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}
inline uint64_t PatternWord(uint64_t id, size_t word) {
    return Mix(id) ^ (uint64_t(word) * 0xD6E8FEB86659FD93ull) ^ (uint64_t(word) << 1);
}
inline void FillPattern(void* p, size_t n, uint64_t id) {
    auto* b = static_cast<unsigned char*>(p);
    size_t w = 0;
    for (; (w + 1) * 8 <= n; ++w) {
        uint64_t v = PatternWord(id, w);
        __builtin_memcpy(b + w * 8, &v, 8);
    }
    if (w * 8 < n) {
        uint64_t v = PatternWord(id, w);
        __builtin_memcpy(b + w * 8, &v, n - w * 8);
    }
}
// Returns the offset of the first byte that differs, or SIZE_MAX when intact.
inline size_t CheckPattern(const void* p, size_t n, uint64_t id) {
    const auto* b = static_cast<const unsigned char*>(p);
    size_t w = 0;
    for (; (w + 1) * 8 <= n; ++w) {
        uint64_t v = PatternWord(id, w), got;
        __builtin_memcpy(&got, b + w * 8, 8);
        if (got != v) {
            for (size_t i = 0; i < 8; ++i)
                if (reinterpret_cast<unsigned char*>(&got)[i] != reinterpret_cast<unsigned char*>(&v)[i])
                    return w * 8 + i;
        }
    }
    if (w * 8 < n) {
        uint64_t v = PatternWord(id, w);
        const auto* vb = reinterpret_cast<const unsigned char*>(&v);
        for (size_t i = 0; w * 8 + i < n; ++i)
            if (b[w * 8 + i] != vb[i]) return w * 8 + i;
    }
    return SIZE_MAX;
}
// Offset of the first non-zero byte, or SIZE_MAX when all n bytes are zero.
inline size_t FirstNonZero(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i)
        if (b[i] != 0) return i;
    return SIZE_MAX;
}
inline bool IsAllZero(const void* p, size_t n) { return FirstNonZero(p, n) == SIZE_MAX; }

// ---- allocation entry points --------------------------------------------
// One table per family so a test can run against each in turn.
struct Api {
    const char* name;
    void* (*malloc)(size_t);
    void (*free)(void*);
    void* (*calloc)(size_t, size_t);
    void* (*realloc)(void*, size_t);
    void* (*reallocarray)(void*, size_t, size_t);
    void* (*aligned_alloc)(size_t, size_t);
    int (*posix_memalign)(void**, size_t, size_t);
    void* (*memalign)(size_t, size_t);
    void* (*valloc)(size_t);
    void* (*pvalloc)(size_t);
    size_t (*usable_size)(const void*);
    void (*free_sized)(void*, size_t);                  // null when not exported
    void (*free_aligned_sized)(void*, size_t, size_t);  // null when not exported
};

// Names the family in test output (and in ctest names) instead of an address.
inline void PrintTo(const Api* api, std::ostream* os) { *os << api->name; }

#if !HAKMEM_TEST_PRELOADED
inline const Api& HakApi() {
    static const Api api = {"hak",          hak_malloc,         hak_free,     hak_calloc,
                            hak_realloc,    hak_reallocarray,   hak_aligned_alloc,
                            hak_posix_memalign, hak_memalign,   hak_valloc,   hak_pvalloc,
                            hak_usable_size, hak_free_sized,    hak_free_aligned_sized};
    return api;
}
#endif

#if HAKMEM_TEST_OVERRIDE || HAKMEM_TEST_PRELOADED
inline size_t LibcUsableSize(const void* p) { return malloc_usable_size(const_cast<void*>(p)); }
inline const Api& LibcApi() {
    static const Api api = {"libc",
                            ::malloc,
                            ::free,
                            ::calloc,
                            ::realloc,
                            ::reallocarray,
                            ::aligned_alloc,
                            ::posix_memalign,
                            ::memalign,
                            ::valloc,
                            ::pvalloc,
                            LibcUsableSize,
                            ::free_sized ? ::free_sized : nullptr,
                            ::free_aligned_sized ? ::free_aligned_sized : nullptr};
    return api;
}
#endif

// Every family this build can test: hak_* always (unless preloaded), the
// malloc family when hakmem serves it.
inline std::vector<const Api*> AllApis() {
    std::vector<const Api*> v;
#if !HAKMEM_TEST_PRELOADED
    v.push_back(&HakApi());
#endif
#if HAKMEM_TEST_OVERRIDE || HAKMEM_TEST_PRELOADED
    v.push_back(&LibcApi());
#endif
    return v;
}

// The family stress tests drive: the malloc family when hakmem serves it
// (the path real programs take), hak_* otherwise.
inline const Api& StressApi() {
#if HAKMEM_TEST_OVERRIDE || HAKMEM_TEST_PRELOADED
    return LibcApi();
#else
    return HakApi();
#endif
}

// ---- statistics ----------------------------------------------------------
using GetStatsFn = int (*)(hak_stats_t*);
inline GetStatsFn ResolveGetStats() {
#if HAKMEM_TEST_PRELOADED
    return reinterpret_cast<GetStatsFn>(dlsym(RTLD_DEFAULT, "hak_get_stats"));
#else
    return hak_get_stats;
#endif
}
// Fills *out with the current statistics; false when they are unavailable.
inline bool ReadStats(hak_stats_t* out) {
    std::memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    GetStatsFn fn = ResolveGetStats();
    return fn != nullptr && fn(out) == HAK_OK;
}

// ---- strategy ------------------------------------------------------------
using GetStrategyFn = int (*)(hak_strategy_t*);
using SetStrategyFn = int (*)(const hak_strategy_t*);
// Reads the Strategy into *out; false when the API is unavailable.
inline bool GetStrategy(hak_strategy_t* out) {
#if HAKMEM_TEST_PRELOADED
    auto get = reinterpret_cast<GetStrategyFn>(dlsym(RTLD_DEFAULT, "hak_get_strategy"));
#else
    GetStrategyFn get = hak_get_strategy;
#endif
    std::memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    return get != nullptr && get(out) == HAK_OK;
}
// Installs `s`; false when the API is unavailable or refuses it.
inline bool SetStrategy(const hak_strategy_t& s) {
#if HAKMEM_TEST_PRELOADED
    auto set = reinterpret_cast<SetStrategyFn>(dlsym(RTLD_DEFAULT, "hak_set_strategy"));
#else
    SetStrategyFn set = hak_set_strategy;
#endif
    return set != nullptr && set(&s) == HAK_OK;
}
// Sets how many free segments hakmem keeps mapped (0: every segment that
// empties is unmapped at once, the hard case for cross-thread frees).
// Returns the previous value, or -1 when the API is unavailable.
inline long SetSegmentCache(uint64_t segments) {
    hak_strategy_t s;
    if (!GetStrategy(&s)) return -1;
    long previous = long(s.segment_cache_max);
    s.segment_cache_max = segments;
    return SetStrategy(s) ? previous : -1;
}

// hak_collect(force), whether hakmem is linked or preloaded; false when absent.
inline bool Collect(int force) {
#if HAKMEM_TEST_PRELOADED
    static auto fn = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "hak_collect"));
#else
    static auto fn = hak_collect;
#endif
    if (fn == nullptr) return false;
    fn(force);
    return true;
}

// Resident set size of this process, in bytes: /proc/self/statm, or under
// ASan the sum over /proc/self/smaps without ASan's shadow memory (which
// grows as the process touches memory, hakmem's or not, and never shrinks:
// 17 MiB after a 128 MiB burst, with hakmem itself back at its baseline).
inline uint64_t ProcessRss() {
#if defined(__SANITIZE_ADDRESS__)
    constexpr uint64_t kShadowBegin = 0x7fff8000ull, kShadowEnd = 0x10007fff8000ull;  // x86-64 layout
    FILE* f = std::fopen("/proc/self/smaps", "r");
    if (!f) return 0;
    char line[512];
    uint64_t total = 0;
    bool shadow = false;
    while (std::fgets(line, sizeof line, f)) {
        unsigned long long begin, end, kib;
        if (std::sscanf(line, "%llx-%llx ", &begin, &end) == 2 && std::strchr(line, ':') != nullptr &&
            line[0] != 'R' && line[0] != 'S') {
            shadow = begin >= kShadowBegin && end <= kShadowEnd;
        } else if (std::sscanf(line, "Rss: %llu kB", &kib) == 1 && !shadow) {
            total += kib * 1024;
        }
    }
    std::fclose(f);
    return total;
#else
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long size = 0, resident = 0;
    int n = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    return n == 2 ? resident * uint64_t(sysconf(_SC_PAGESIZE)) : 0;
#endif
}

// ---- seeds -----------------------------------------------------------------
// A fresh seed per run unless HAKMEM_TEST_SEED fixes one; always printed so a
// failing run can be replayed.
inline uint64_t TestSeed(const char* what) {
    uint64_t seed;
    if (const char* env = std::getenv("HAKMEM_TEST_SEED"); env && *env) {
        seed = std::strtoull(env, nullptr, 0);
    } else {
        std::random_device rd;
        seed = (uint64_t(rd()) << 32) ^ rd() ^
               uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    std::printf("[   SEED   ] %s: HAKMEM_TEST_SEED=%" PRIu64 "\n", what, seed);
    std::fflush(stdout);
    return seed;
}

// Sizes from 0 to max_size, skewed to small the way real programs are.
inline size_t SkewedSize(std::mt19937_64& rng, size_t max_size) {
    uint64_t r = rng() % 1000;
    size_t cap;
    if (r < 700) cap = 256;
    else if (r < 900) cap = 16 * KiB;
    else if (r < 980) cap = 256 * KiB;
    else cap = max_size;
    if (cap > max_size) cap = max_size;
    return size_t(rng() % (cap + 1));
}

// ---- failures seen on worker threads ----------------------------------------
// Worker threads record what went wrong; the test thread asserts on it.
class Failures {
public:
    void Add(const std::string& what) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (count_++ < 5) first_ += what + "\n";
    }
    int count() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return count_;
    }
    std::string Describe() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return std::to_string(count_) + " failure(s), first ones:\n" + first_;
    }

private:
    mutable std::mutex mutex_;
    int count_ = 0;
    std::string first_;
};

// A block handed between threads, carrying what is needed to verify it.
struct Block {
    void* p = nullptr;
    size_t size = 0;
    uint64_t id = 0;
};
// A closeable queue of blocks between threads: Push blocks while full (when
// bounded); Pop waits for a block and returns false once closed and drained.
class BlockQueue {
public:
    explicit BlockQueue(size_t capacity = SIZE_MAX) : capacity_(capacity) {}
    void Push(const Block& b) {
        std::unique_lock<std::mutex> lock(mutex_);
        not_full_.wait(lock, [&] { return items_.size() < capacity_; });
        items_.push_back(b);
        not_empty_.notify_one();
    }
    bool Pop(Block* out) {
        std::unique_lock<std::mutex> lock(mutex_);
        not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
        if (items_.empty()) return false;
        *out = items_.front();
        items_.pop_front();
        not_full_.notify_one();
        return true;
    }
    void Close() {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
        not_empty_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable not_full_, not_empty_;
    std::deque<Block> items_;
    size_t capacity_;
    bool closed_ = false;
};

inline std::string DescribeCorruption(const Block& b, size_t offset, const char* when) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "block id %" PRIu64 " at %p (size %zu) corrupted at offset %zu %s", b.id, b.p,
                  b.size, offset, when);
    return buf;
}

// ---- child processes -------------------------------------------------------
struct ChildResult {
    bool timed_out = false;
    int status = 0;    // from waitpid
    std::string err;   // everything the child wrote to stderr

    bool ExitedWith(int code) const { return !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == code; }
    std::string Describe() const {
        char buf[128];
        if (timed_out) std::snprintf(buf, sizeof buf, "child timed out (killed)");
        else if (WIFEXITED(status)) std::snprintf(buf, sizeof buf, "child exited with status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            std::snprintf(buf, sizeof buf, "child killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
        else std::snprintf(buf, sizeof buf, "child wait status 0x%x", status);
        return std::string(buf) + "; its stderr:\n" + err;
    }
};

// Runs fn() in a forked child whose stderr goes to a pipe; the child ends with
// _exit(fn()) unless fn exits by itself. A child still running after
// timeout_s seconds is killed and reported as timed out.
template <class F>
ChildResult RunInChild(F&& fn, int timeout_s = 60) {
    ChildResult r;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        r.timed_out = true;
        r.err = "pipe2 failed";
        return r;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        int code = fn();
        _exit(code);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        r.timed_out = true;
        r.err = "fork failed";
        return r;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            break;
        }
        pollfd pfd = {fds[0], POLLIN, 0};
        int pr = poll(&pfd, 1, int(left.count()));
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) continue;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EOF: the child closed stderr (exited)
        r.err.append(buf, size_t(n));
    }
    close(fds[0]);
    if (r.timed_out) kill(pid, SIGKILL);
    // The child may have closed stderr but still be finishing; wait with a bound.
    for (;;) {
        pid_t w = waitpid(pid, &r.status, r.timed_out ? 0 : WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() > deadline) {
            r.timed_out = true;
            kill(pid, SIGKILL);
        } else {
            usleep(1000);
        }
    }
    return r;
}

// ---- files ---------------------------------------------------------------------
// The names in `dir` (without . and ..), in directory order.
inline std::vector<std::string> DirEntries(const std::string& dir) {
    std::vector<std::string> names;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
        closedir(d);
    }
    return names;
}

// ---- reading what the allocator printed ------------------------------------
inline std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}
// Every 0x... hex number in the text.
inline std::vector<uint64_t> HexNumbers(const std::string& text) {
    std::vector<uint64_t> out;
    for (size_t i = 0; i + 1 < text.size(); ++i) {
        if (text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            size_t j = i + 2;
            while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j]))) ++j;
            if (j > i + 2) out.push_back(std::strtoull(text.substr(i + 2, j - i - 2).c_str(), nullptr, 16));
            i = j;
        }
    }
    return out;
}
// True when the text names the pointer as 0x... (any case, any zero padding).
inline bool MentionsPointer(const std::string& text, const void* p) {
    for (uint64_t v : HexNumbers(text))
        if (v == reinterpret_cast<uintptr_t>(p)) return true;
    return false;
}

}  // namespace hakt

#endif  // HAKMEM_TEST_SUPPORT_H
