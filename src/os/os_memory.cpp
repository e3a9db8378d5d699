// mmap/munmap/madvise behind the os_memory.h contract, with counters.
#include "os/os_memory.h"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace hakmem::os {
namespace {

std::atomic<uint64_t> g_mmap_calls{0};
std::atomic<uint64_t> g_munmap_calls{0};
std::atomic<uint64_t> g_madvise_calls{0};
std::atomic<uint64_t> g_bytes_mapped{0};
std::atomic<uint64_t> g_bytes_purged{0};

// Where the next aligned mapping is tried first. Handing the kernel an aligned
// hint makes most aligned mappings one mmap call instead of three (map a
// larger range, then trim both ends). The area starts at 2 TiB, far from the
// heap and the usual mmap base, and wraps when it runs out.
constexpr uintptr_t kHintStart = uintptr_t{2} << 40;
constexpr uintptr_t kHintEnd = uintptr_t{30} << 40;
std::atomic<uintptr_t> g_hint{kHintStart};

void* raw_map(void* hint, size_t size) {
    void* p = mmap(hint, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    g_mmap_calls.fetch_add(1, std::memory_order_relaxed);
    g_bytes_mapped.fetch_add(size, std::memory_order_relaxed);
    return p;
}

void* try_hinted(size_t size, size_t alignment, size_t offset) {
    // The hint is aligned so that hint + offset is aligned.
    uintptr_t step = align_up(size + offset, alignment);
    uintptr_t hint = g_hint.fetch_add(step, std::memory_order_relaxed);
    if (hint + step > kHintEnd) {
        g_hint.store(kHintStart, std::memory_order_relaxed);
        return nullptr;
    }
    hint = align_up(hint + offset, alignment) - offset;
    void* p = raw_map(reinterpret_cast<void*>(hint), size);
    if (p != nullptr && (reinterpret_cast<uintptr_t>(p) + offset) % alignment != 0) {
        unmap(p, size);
        return nullptr;
    }
    return p;
}

}  // namespace

void* map(size_t size) { return raw_map(nullptr, align_up(size, kPageSize)); }

void* map_aligned(size_t size, size_t alignment, size_t offset) {
    size = align_up(size, kPageSize);
    if (alignment <= kPageSize) return map(size);
    if (void* p = try_hinted(size, alignment, offset)) return p;
    // Over-map and trim: the aligned range is inside [raw, raw + size + alignment).
    size_t over = size + alignment;
    if (over < size) { errno = ENOMEM; return nullptr; }
    auto* raw = static_cast<uint8_t*>(raw_map(nullptr, over));
    if (raw == nullptr) return nullptr;
    uintptr_t r = reinterpret_cast<uintptr_t>(raw);
    uintptr_t start = align_up(r + offset, alignment) - offset;
    if (start < r) start += alignment;
    size_t head = start - r;
    size_t tail = over - head - size;
    if (head) unmap(raw, head);
    if (tail) unmap(reinterpret_cast<void*>(start + size), tail);
    return reinterpret_cast<void*>(start);
}

bool unmap(void* p, size_t size) {
    size = align_up(size, kPageSize);
    if (munmap(p, size) != 0) return false;
    g_munmap_calls.fetch_add(1, std::memory_order_relaxed);
    g_bytes_mapped.fetch_sub(size, std::memory_order_relaxed);
    return true;
}

bool purge(void* p, size_t size, PurgeMode mode) {
    if (size == 0) return true;
    int advice = mode == PurgeMode::kFree ? MADV_FREE : MADV_DONTNEED;
    int saved = errno;
    int rc = madvise(p, size, advice);
    if (rc != 0 && advice == MADV_FREE) rc = madvise(p, size, MADV_DONTNEED);  // kernels before 4.5
    errno = saved;
    if (rc != 0) return false;
    g_madvise_calls.fetch_add(1, std::memory_order_relaxed);
    g_bytes_purged.fetch_add(size, std::memory_order_relaxed);
    return true;
}

OsCounters os_counters() {
    return OsCounters{g_mmap_calls.load(std::memory_order_relaxed), g_munmap_calls.load(std::memory_order_relaxed),
                      g_madvise_calls.load(std::memory_order_relaxed), g_bytes_mapped.load(std::memory_order_relaxed),
                      g_bytes_purged.load(std::memory_order_relaxed)};
}

uint64_t resident_bytes() {
    int saved = errno;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) { errno = saved; return 0; }
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    errno = saved;
    if (n <= 0) return 0;
    buf[n] = 0;
    // statm: size resident shared ... (in pages); skip the first field.
    const char* s = buf;
    while (*s && *s != ' ') ++s;
    uint64_t pages = 0;
    while (*s == ' ') ++s;
    while (*s >= '0' && *s <= '9') pages = pages * 10 + static_cast<uint64_t>(*s++ - '0');
    return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace hakmem::os
