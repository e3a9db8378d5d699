// mmap/munmap/madvise/mremap behind the os_memory.h contract, with counters.
#include "os/os_memory.h"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

namespace hakmem::os {
namespace {

std::atomic<uint64_t> g_mmap_calls{0};
std::atomic<uint64_t> g_munmap_calls{0};
std::atomic<uint64_t> g_madvise_calls{0};
std::atomic<uint64_t> g_bytes_mapped{0};
std::atomic<uint64_t> g_bytes_purged{0};
std::atomic<uint64_t> g_mmap_bytes{0};
std::atomic<uint64_t> g_munmap_bytes{0};
std::atomic<uint64_t> g_mremap_calls{0};
std::atomic<uint64_t> g_purge_ranges{0};
std::atomic<uint64_t> g_huge_advice_calls{0};

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
    g_mmap_bytes.fetch_add(size, std::memory_order_relaxed);
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
    g_munmap_bytes.fetch_add(size, std::memory_order_relaxed);
    g_bytes_mapped.fetch_sub(size, std::memory_order_relaxed);
    return true;
}

bool protect(void* p, size_t size, bool accessible) {
    return mprotect(p, align_up(size, kPageSize), accessible ? PROT_READ | PROT_WRITE : PROT_NONE) == 0;
}

void* reserve_inaccessible(size_t size) {
    void* p = mmap(nullptr, align_up(size, kPageSize), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
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
    g_purge_ranges.fetch_add(1, std::memory_order_relaxed);
    g_bytes_purged.fetch_add(size, std::memory_order_relaxed);
    return true;
}

namespace {
// process_madvise() on the calling thread's own mm: the kernel takes any
// advice there since Linux 6.13, and PIDFD_SELF_THREAD (no descriptor to
// open or keep) since 6.14. On older kernels the first call fails with
// EINVAL or EBADF, and that advice falls back to madvise for good.
constexpr int kPidfdSelfThread = -10000;
constexpr size_t kMaxIov = 64;
std::atomic<uint8_t> g_batch_unsupported[2];  // indexed by PurgeMode

size_t try_process_madvise(const Range* ranges, size_t n, PurgeMode mode, size_t* calls) {
#if defined(SYS_process_madvise)
    auto index = static_cast<unsigned>(mode);
    if (n < 2 || g_batch_unsupported[index].load(std::memory_order_relaxed)) return 0;
    iovec iov[kMaxIov];
    for (size_t i = 0; i < n; ++i) {
        iov[i].iov_base = ranges[i].start;
        iov[i].iov_len = ranges[i].size;
    }
    int advice = mode == PurgeMode::kFree ? MADV_FREE : MADV_DONTNEED;
    int saved = errno;
    long rc = syscall(SYS_process_madvise, kPidfdSelfThread, iov, n, advice, 0u);
    int err = errno;
    errno = saved;
    if (rc < 0) {
        if (err == EINVAL || err == EBADF || err == ENOSYS || err == EPERM || err == ESRCH)
            g_batch_unsupported[index].store(1, std::memory_order_relaxed);
        return 0;
    }
    g_madvise_calls.fetch_add(1, std::memory_order_relaxed);
    ++*calls;
    // A short count means the kernel stopped at a range it could not advise;
    // the caller releases the ranges from there on one at a time.
    size_t done = static_cast<size_t>(rc), whole = 0;
    while (whole < n && done >= ranges[whole].size) done -= ranges[whole++].size;
    size_t bytes = 0;
    for (size_t i = 0; i < whole; ++i) bytes += ranges[i].size;
    g_purge_ranges.fetch_add(whole, std::memory_order_relaxed);
    g_bytes_purged.fetch_add(bytes, std::memory_order_relaxed);
    return whole;
#else
    (void)ranges, (void)n, (void)mode, (void)calls;
    return 0;
#endif
}
}  // namespace

size_t purge_ranges(const Range* ranges, size_t n, PurgeMode mode) {
    size_t calls = 0;
    while (n > 0) {
        size_t chunk = n < kMaxIov ? n : kMaxIov;
        size_t done = try_process_madvise(ranges, chunk, mode, &calls);
        for (size_t i = done; i < chunk; ++i)
            if (purge(ranges[i].start, ranges[i].size, mode)) ++calls;
        ranges += chunk;
        n -= chunk;
    }
    return calls;
}

bool advise_huge(void* p, size_t size, bool on) {
    int saved = errno;
    int rc = madvise(p, align_up(size, kPageSize), on ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    errno = saved;
    g_huge_advice_calls.fetch_add(1, std::memory_order_relaxed);
    return rc == 0;
}

void* remap_in_place(void* p, size_t old_size, size_t new_size) {
    old_size = align_up(old_size, kPageSize);
    new_size = align_up(new_size, kPageSize);
    void* q = mremap(p, old_size, new_size, 0);
    g_mremap_calls.fetch_add(1, std::memory_order_relaxed);
    if (q == MAP_FAILED) return nullptr;
    if (new_size > old_size) {
        g_mmap_bytes.fetch_add(new_size - old_size, std::memory_order_relaxed);
        g_bytes_mapped.fetch_add(new_size - old_size, std::memory_order_relaxed);
    } else {
        g_munmap_bytes.fetch_add(old_size - new_size, std::memory_order_relaxed);
        g_bytes_mapped.fetch_sub(old_size - new_size, std::memory_order_relaxed);
    }
    return q;
}

void* remap_to(void* p, size_t old_size, size_t new_size, void* target) {
    old_size = align_up(old_size, kPageSize);
    new_size = align_up(new_size, kPageSize);
    void* q = mremap(p, old_size, new_size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    g_mremap_calls.fetch_add(1, std::memory_order_relaxed);
    if (q == MAP_FAILED) return nullptr;
    // The target's bytes were counted when it was mapped; the old range is gone.
    g_munmap_bytes.fetch_add(old_size, std::memory_order_relaxed);
    g_bytes_mapped.fetch_sub(old_size, std::memory_order_relaxed);
    return q;
}

OsCounters os_counters() {
    auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    return OsCounters{get(g_mmap_calls),   get(g_munmap_calls),  get(g_madvise_calls),
                      get(g_bytes_mapped), get(g_bytes_purged),  get(g_mmap_bytes),
                      get(g_munmap_bytes), get(g_mremap_calls),  get(g_purge_ranges),
                      get(g_huge_advice_calls)};
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
