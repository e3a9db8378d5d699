// libFuzzer harness for the allocation API (include/hakmem/hakmem.h).
//
// The input decodes into a sequence of operations on a table of 64 slots:
// malloc, calloc, realloc, reallocarray, aligned_alloc, posix_memalign,
// memalign, valloc, pvalloc, free, free_sized, free_aligned_sized, the
// call-site entry points, usable-size queries, hak_collect, purge settings,
// and restarting a worker thread (its heap is abandoned and later adopted).
// Each operation runs on one of three threads: the fuzzer's own and two
// workers (an operation may switch threads; the next ones stay there).
// Operations run one at a time, in input order, each on its thread (a run
// of operations for the same thread is handed over at once), so a block
// allocated on one thread may be reallocated or freed on another, and every
// run of an input makes the same calls.
//
// A shadow model keeps each live block's requested size, alignment and
// pattern seed. Checked after every operation that returns a block: not
// NULL when it must succeed (and NULL with the right errno when it must
// fail), aligned (16 bytes at least, or the requested power of two),
// usable size >= requested, no overlap with any other live block's usable
// range. Each block is filled up to its usable size with a pattern from
// (slot, generation); the pattern is verified before every free and
// realloc, after realloc (the kept prefix) and after a failed realloc (the
// block must be intact). calloc's bytes must read as zero. Blocks above
// 8 KiB are filled and checked in their first and last 4 KiB only, to keep
// the rate of executions up.
//
// The allocator's state (caches, abandoned segments) carries over from one
// input to the next, as in a long-running program: a failure may need the
// inputs before it. The harness never passes an invalid pointer: every free
// names a live slot. A failed check prints the operation and aborts.
#include <hakmem/hakmem.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr int kSlots = 64;
constexpr int kThreads = 3;                      // 0 = the fuzzer's thread, 1 and 2 = workers
constexpr size_t kChecked = 4096;                // bytes checked at each end of a larger block
constexpr size_t kLiveBudget = 192u << 20;       // requested bytes live at once, at most
constexpr size_t kMaxOps = 4096;                 // operations per input, at most
// Switching the purge mode (MADV_FREE <-> MADV_DONTNEED) at run time: it
// found calloc returning old bytes after a MADV_FREE purge followed by a
// MADV_DONTNEED one (fixed; LargeCacheTest.CallocAfterAPurgeModeSwitchIsZero).
constexpr bool kSwitchPurgeMode = true;

enum Kind : uint8_t {
    kMalloc, kCalloc, kRealloc, kReallocArray, kAlignedAlloc, kPosixMemalign, kMemalign, kValloc,
    kPvalloc, kFree, kFreeSized, kFreeAlignedSized, kAllocAt, kUsable, kCollect, kStrategy, kRestart,
    kKinds
};
constexpr const char* kKindNames[kKinds] = {
    "malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "posix_memalign", "memalign", "valloc",
    "pvalloc", "free", "free_sized", "free_aligned_sized", "alloc_at/free_at", "usable_size", "collect",
    "strategy", "restart_thread"};

struct Op {
    Kind kind;
    uint8_t thread;
    uint8_t slot;
    uint8_t flag;
    size_t size;
    size_t count;
    size_t align;
};

struct Slot {
    unsigned char* p = nullptr;
    size_t size = 0;     // requested bytes
    size_t usable = 0;   // hak_usable_size at allocation
    size_t align = 0;    // the alignment asked for (0: none)
    uint64_t seed = 0;
    uint32_t generation = 0;
};

Slot g_slots[kSlots];
size_t g_live_bytes = 0;
const Op* g_current = nullptr;  // for failure messages
size_t g_op_index = 0;

[[noreturn]] __attribute__((format(printf, 1, 2))) void fail(const char* fmt, ...) {
    const Op& op = *g_current;
    fprintf(stderr, "api_fuzz: op %zu %s (thread %u, slot %u, size %zu, count %zu, align %zu, flag %u): ", g_op_index,
            kKindNames[op.kind], op.thread, op.slot, op.size, op.count, op.align, op.flag);
    va_list args;
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\n");
    abort();
}

// ---- input decoding ---------------------------------------------------------

class Reader {
public:
    Reader(const uint8_t* d, size_t n) : d_(d), n_(n) {}
    bool empty() const { return i_ >= n_; }
    uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }

    // Sizes spread over every path: tiny, small and medium classes, next to
    // each boundary, and more rarely (they cost mmaps, page faults and
    // munmaps) large blocks, blocks above the mmap threshold and sizes that
    // must fail.
    size_t size() {
        uint8_t b = u8();
        unsigned low = b & 31;
        switch (b >> 5) {
            case 0: case 1: return b & 63;                                  // 0..63
            case 2: case 5: return (size_t{low} << 8 | u8()) & 8191;        // small: < 8 KiB
            case 3: return (size_t{low} << 16 | u16()) & 0x1ffff;           // medium and just above
            case 4: {                                                       // a boundary +- 64
                static constexpr size_t kEdges[] = {16, 128, 1024, 8192, 65536, 4096, 4u << 20, 32u << 20};
                size_t edge = kEdges[b & 7];
                int delta = static_cast<int8_t>(u8()) / 2;
                return delta < 0 && static_cast<size_t>(-delta) > edge ? 0 : edge + delta;
            }
            case 6:
                if (low < 8) return size_t{low} << 18 | size_t{u16()} << 2;  // large: < 2 MiB
                if (low < 10) return (32u << 20) + (size_t{u16()} << 8);    // above the mmap threshold
                if (low < 14) return size_t{low & 7} << 22 | size_t{u16()} << 6;  // large: < 32 MiB
                return (size_t{low} << 16 | u16()) & 0xffff;                // medium
            default: {
                static constexpr size_t kHuge[] = {SIZE_MAX, SIZE_MAX - 15, size_t{PTRDIFF_MAX} + 1,
                                                   size_t{1} << 62};
                if (low < 4) return kHuge[low];                             // must fail
                return low * 3;
            }
        }
    }
    // Powers of two up to 8 MiB, now and then a value that is not one.
    size_t align() {
        uint8_t b = u8();
        if (b & 0x80) return b & 0x7f;  // 0..127: mostly invalid for aligned_alloc
        return size_t{1} << (b % 24);
    }

private:
    const uint8_t* d_;
    size_t n_;
    size_t i_ = 0;
};

std::vector<Op> decode(const uint8_t* data, size_t n) {
    std::vector<Op> ops;
    Reader r(data, n);
    uint8_t thread = 0;
    while (!r.empty() && ops.size() < kMaxOps) {
        uint8_t head = r.u8();
        Op op{};
        op.kind = static_cast<Kind>(head % kKinds);
        // head / kKinds is 0..14: below 12 the operation stays on the thread
        // of the one before (a handover costs a futex wake and wait), from 12
        // on it moves to thread (head / kKinds) % 3.
        if (head / kKinds >= 12) thread = static_cast<uint8_t>((head / kKinds) % kThreads);
        op.thread = thread;
        op.slot = r.u8() % kSlots;
        switch (op.kind) {
            case kMalloc: case kRealloc: case kValloc: case kPvalloc: case kAllocAt: op.size = r.size(); break;
            case kCalloc: case kReallocArray: {
                uint8_t c = r.u8();
                // Mostly small counts; a few that overflow count * size.
                op.count = c < 250 ? c % 64 : (c == 250 ? SIZE_MAX : size_t{1} << (c - 192));
                op.size = r.size();
                // calloc may clear every byte it returns (a reused large block
                // is cleared whole): totals up to 256 KiB (large blocks start at
                // 64 KiB), or sizes that overflow.
                if (op.kind == kCalloc && op.count < 64 && op.size <= (64u << 20))
                    op.size = std::min(op.size, (size_t{256} << 10) / std::max<size_t>(op.count, 1));
                break;
            }
            case kAlignedAlloc: case kPosixMemalign: case kMemalign:
                op.align = r.align();
                op.size = r.size();
                break;
            case kCollect: case kStrategy: case kFree: case kFreeSized: case kFreeAlignedSized: case kUsable:
            case kRestart:
                op.flag = r.u8();
                break;
            default: break;
        }
        ops.push_back(op);
    }
    return ops;
}

// ---- patterns -----------------------------------------------------------------

uint64_t mix(uint64_t x) {
    x ^= x >> 31;
    x *= 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    return x;
}

// Byte o of a block with seed s: byte (o % 8) of mix(s + o / 8).
template <bool kWrite>
bool pattern(unsigned char* p, size_t lo, size_t hi, uint64_t seed) {
    size_t o = lo;
    for (; o < hi && (o & 7) != 0; ++o) {
        unsigned char want = static_cast<unsigned char>(mix(seed + o / 8) >> (o % 8 * 8));
        if (kWrite) p[o] = want; else if (p[o] != want) return false;
    }
    for (; o + 8 <= hi; o += 8) {
        uint64_t want = mix(seed + o / 8);
        if (kWrite) memcpy(p + o, &want, 8);
        else {
            uint64_t have;
            memcpy(&have, p + o, 8);
            if (have != want) return false;
        }
    }
    for (; o < hi; ++o) {
        unsigned char want = static_cast<unsigned char>(mix(seed + o / 8) >> (o % 8 * 8));
        if (kWrite) p[o] = want; else if (p[o] != want) return false;
    }
    return true;
}

// Calls f(lo, hi) for the checked ranges of a block of n bytes, cut at `limit`.
template <typename F> void checked_ranges(size_t n, size_t limit, F f) {
    size_t end = n < limit ? n : limit;
    if (n <= 2 * kChecked) {
        if (end > 0) f(size_t{0}, end);
        return;
    }
    f(size_t{0}, end < kChecked ? end : kChecked);
    if (end > n - kChecked) f(n - kChecked, end);
}

void fill(const Slot& s) {
    checked_ranges(s.usable, s.usable, [&](size_t lo, size_t hi) { pattern<true>(s.p, lo, hi, s.seed); });
}

// Verifies the block's pattern below `limit` (the whole usable size by default).
void verify(const Slot& s, const char* when, size_t limit = SIZE_MAX) {
    checked_ranges(s.usable, limit, [&](size_t lo, size_t hi) {
        if (!pattern<false>(s.p, lo, hi, s.seed)) {
            size_t at = lo;
            while (at < hi && pattern<false>(s.p, at, at + 1, s.seed)) ++at;
            fail("block %p (size %zu, usable %zu): pattern broken at byte %zu %s", s.p, s.size, s.usable, at, when);
        }
    });
}

// ---- the model ---------------------------------------------------------------

bool is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }
bool must_fail(size_t size) { return size > static_cast<size_t>(PTRDIFF_MAX); }

// Checks a block just returned for `size` bytes aligned to `align`, and records it in slot `i`.
void adopt(int i, void* p, size_t size, size_t align) {
    Slot& s = g_slots[i];
    auto* b = static_cast<unsigned char*>(p);
    size_t a = align < 16 ? 16 : align;
    if (reinterpret_cast<uintptr_t>(b) % a != 0) fail("block %p is not aligned to %zu (size %zu)", b, a, size);
    size_t usable = hak_usable_size(b);
    if (usable < size) fail("block %p: usable size %zu below the %zu requested", b, usable, size);
    for (int j = 0; j < kSlots; ++j) {
        const Slot& o = g_slots[j];
        if (j == i || o.p == nullptr) continue;
        if (b < o.p + o.usable && o.p < b + usable)
            fail("block %p (usable %zu) overlaps the live block %p (usable %zu) of slot %d", b, usable, o.p, o.usable,
                 j);
    }
    s.p = b;
    s.size = size;
    s.usable = usable;
    s.align = align;
    g_live_bytes += size;
}

void release(int i) {
    Slot& s = g_slots[i];
    g_live_bytes -= s.size;
    s = Slot{nullptr, 0, 0, 0, 0, s.generation + 1};
}

void new_seed(int i) { g_slots[i].seed = mix(static_cast<uint64_t>(i) << 32 | g_slots[i].generation) * 2 + 1; }

// Frees slot i if it holds a block, through the entry point `how` picks:
// 0 free, 1 free_sized, 2 free_aligned_sized (free_sized for a block with no
// alignment), 3 free_at with the size, 4 free_at without it.
void free_slot(int i, int how) {
    Slot& s = g_slots[i];
    if (s.p == nullptr) {
        if (how == 0) hak_free(nullptr);
        return;
    }
    verify(s, "before free");
    switch (how) {
        case 0: hak_free(s.p); break;
        case 1: hak_free_sized(s.p, s.size); break;
        case 2:
            if (s.align != 0) hak_free_aligned_sized(s.p, s.align, s.size);
            else hak_free_sized(s.p, s.size);
            break;
        default: hak_free_at(s.p, how == 3 ? s.size : 0, static_cast<hak_callsite_t>(i + 1)); break;
    }
    release(i);
}

// Whether `size` more live bytes fit the budget; sizes that must fail always "fit".
bool fits(size_t size, size_t freed = 0) {
    return must_fail(size) || g_live_bytes - freed + size <= kLiveBudget;
}

void expect_failure(void* p, size_t size) {
    if (p != nullptr) fail("%p returned for %zu bytes, which must fail (above PTRDIFF_MAX or overflowing)", p, size);
    if (errno != ENOMEM) fail("errno %d after a failed request of %zu bytes (want ENOMEM)", errno, size);
}

void allocate(int i, const Op& op) {
    size_t size = op.size, align = 0;
    void* p = nullptr;
    bool zeroed = false;
    if (op.kind != kCalloc && !fits(size)) return;
    errno = 0;
    switch (op.kind) {
        case kMalloc: p = hak_malloc(size); break;
        case kAllocAt: p = hak_alloc_at(size, static_cast<hak_callsite_t>(i + 1)); break;
        case kValloc: p = hak_valloc(size); align = 4096; break;
        case kPvalloc:
            p = hak_pvalloc(size);
            align = 4096;
            if (!must_fail(size)) size = size == 0 ? 4096 : (size + 4095) & ~size_t{4095};
            break;
        case kCalloc: {
            size_t total;
            bool overflow = __builtin_mul_overflow(op.count, size, &total);
            if (!overflow && !fits(total)) return;
            p = hak_calloc(op.count, size);
            if (overflow || must_fail(total)) return expect_failure(p, overflow ? SIZE_MAX : total);
            size = total;
            zeroed = true;
            break;
        }
        case kAlignedAlloc:
        case kMemalign: {
            p = op.kind == kAlignedAlloc ? hak_aligned_alloc(op.align, size) : hak_memalign(op.align, size);
            if (op.kind == kAlignedAlloc && !is_pow2(op.align)) {
                if (p != nullptr || errno != EINVAL)
                    fail("aligned_alloc with alignment %zu (not a power of two) gave %p, errno %d", op.align, p, errno);
                return;
            }
            align = op.align;
            if (!is_pow2(align)) align = align < 16 ? 16 : size_t{1} << (64 - __builtin_clzll(align));
            break;
        }
        case kPosixMemalign: {
            void* out = &g_slots;  // a sentinel that must survive a failure
            int rc = hak_posix_memalign(&out, op.align, size);
            if (!is_pow2(op.align) || op.align % sizeof(void*) != 0) {
                if (rc != EINVAL || out != &g_slots)
                    fail("posix_memalign(%zu, %zu) with a bad alignment returned %d or wrote *out", op.align, size, rc);
                return;
            }
            if (must_fail(size)) {
                if (rc != ENOMEM || out != &g_slots)
                    fail("posix_memalign of %zu bytes returned %d or wrote *out", size, rc);
                return;
            }
            if (rc != 0) fail("posix_memalign(%zu, %zu) failed with %d", op.align, size, rc);
            p = out;
            align = op.align;
            break;
        }
        default: return;
    }
    if (must_fail(size)) return expect_failure(p, size);
    if (p == nullptr) fail("NULL for %zu bytes aligned to %zu (errno %d)", size, align, errno);
    new_seed(i);
    adopt(i, p, size, align);
    if (zeroed) {
        auto* b = static_cast<unsigned char*>(p);
        checked_ranges(size, size, [&](size_t lo, size_t hi) {
            for (size_t o = lo; o < hi; ++o)
                if (b[o] != 0) fail("calloc block %p: byte %zu of %zu is %d, not zero", b, o, size, b[o]);
        });
    }
    fill(g_slots[i]);
}

void reallocate(int i, const Op& op) {
    Slot& s = g_slots[i];
    size_t size = op.size;
    bool overflow = false;
    if (op.kind == kReallocArray) overflow = __builtin_mul_overflow(op.count, op.size, &size);
    if (!overflow && !fits(size, s.size)) return;
    if (s.p != nullptr) verify(s, "before realloc");
    errno = 0;
    void* p = op.kind == kReallocArray ? hak_reallocarray(s.p, op.count, op.size) : hak_realloc(s.p, size);
    if (overflow || must_fail(size)) {
        expect_failure(p, overflow ? SIZE_MAX : size);
        if (s.p != nullptr) verify(s, "after a failed realloc");
        return;
    }
    if (size == 0 && s.p != nullptr) {  // glibc: frees the block, returns NULL
        if (p != nullptr) fail("realloc(%p, 0) returned %p, not NULL", s.p, p);
        release(i);
        return;
    }
    if (p == nullptr) fail("realloc of %p to %zu bytes failed (errno %d)", s.p, size, errno);
    Slot old = s;
    if (old.p != nullptr) {
        release(i);
        g_slots[i].seed = old.seed;  // the contents keep their pattern
    } else {
        new_seed(i);
    }
    adopt(i, p, size, 0);
    if (old.p != nullptr) {
        // The first min(old, new) requested bytes moved with the block.
        Slot moved = g_slots[i];
        moved.usable = old.usable;
        checked_ranges(old.usable, old.size < size ? old.size : size, [&](size_t lo, size_t hi) {
            if (!pattern<false>(moved.p, lo, hi, moved.seed))
                fail("realloc from %p (size %zu) to %p (size %zu) lost the contents in bytes %zu..%zu", old.p, old.size,
                     moved.p, size, lo, hi);
        });
    }
    fill(g_slots[i]);
}

void run_op(const Op& op) {
    int i = op.slot;
    Slot& s = g_slots[i];
    switch (op.kind) {
        case kRealloc: case kReallocArray: reallocate(i, op); break;
        case kFree: case kFreeSized: case kFreeAlignedSized:
            // kFreeAlignedSized with the flag's low bit set: the free_at forms.
            free_slot(i, op.kind == kFreeAlignedSized && (op.flag & 1) ? 3 + (op.flag >> 1 & 1) : op.kind - kFree);
            break;
        case kUsable:
            if (s.p != nullptr) {
                if (hak_usable_size(s.p) != s.usable)
                    fail("usable size of %p changed from %zu to %zu", s.p, s.usable, hak_usable_size(s.p));
                verify(s, "at a usable-size query");
            } else if (hak_usable_size(nullptr) != 0) {
                fail("usable size of NULL is %zu", hak_usable_size(nullptr));
            }
            break;
        case kCollect: hak_collect((op.flag & 15) == 0); break;  // forced now and then: it empties every cache
        case kStrategy: {
            hak_strategy_t st;
            st.struct_size = sizeof st;
            if (hak_get_strategy(&st) != HAK_OK) fail("hak_get_strategy failed");
            st.purge_delay_ms = op.flag & 1 ? 0 : 250;      // purge at once, or the default
            st.large_cache_max = op.flag & 2 ? 0 : 64u << 20;  // no large cache, or the default
            if (kSwitchPurgeMode) st.purge_mode = (op.flag >> 2) & 1;
            st.huge_pages = op.flag & 8 ? 2 : 0;               // huge pages for large blocks, or none
            if (hak_set_strategy(&st) != HAK_OK) fail("hak_set_strategy refused a valid strategy");
            break;
        }
        case kRestart: break;  // handled by the dispatcher
        default:
            // Every allocation replaces what the slot held.
            if (s.p != nullptr) free_slot(i, op.kind == kAllocAt ? 4 : 0);
            allocate(i, op);
            break;
    }
}

// ---- threads ----------------------------------------------------------------
// A worker runs the operations it is handed, then hands control back. Only
// one thread runs operations at any time, so the model needs no lock; the
// atomics order the model's updates between threads.

struct Worker {
    std::thread thread;
    std::atomic<int> state{0};  // 0 idle, 1 run [begin, end), 2 exit
    const Op* begin = nullptr;
    const Op* end = nullptr;
    size_t first_index = 0;

    void loop() {
        for (;;) {
            state.wait(0, std::memory_order_acquire);
            int cmd = state.load(std::memory_order_acquire);
            if (cmd == 2) return;
            run_range();
            state.store(0, std::memory_order_release);
            state.notify_all();
        }
    }
    void run_range() {
        g_op_index = first_index;
        for (const Op* op = begin; op != end; ++op, ++g_op_index) {
            g_current = op;
            run_op(*op);
        }
    }
    void start() { thread = std::thread([this] { loop(); }); }
    void stop() {
        state.store(2, std::memory_order_release);
        state.notify_all();
        thread.join();
        state.store(0, std::memory_order_relaxed);
    }
    void run(const Op* b, const Op* e, size_t index) {
        begin = b, end = e, first_index = index;
        state.store(1, std::memory_order_release);
        state.notify_all();
        for (int s; (s = state.load(std::memory_order_acquire)) != 0;) state.wait(s, std::memory_order_acquire);
    }
};

// [0] unused: thread 0 is the caller. Never destroyed: the workers are still
// waiting for work when libFuzzer exits.
Worker* const g_workers = new Worker[kThreads];

// The library's defaults, except huge pages: off unless an operation turns
// them on (a huge-page fault clears 2 MiB, a quarter of the run time).
void restore_default_strategy() {
    static hak_strategy_t defaults = [] {
        hak_strategy_t st;
        st.struct_size = sizeof st;
        hak_get_strategy(&st);
        st.huge_pages = 0;
        return st;
    }();
    hak_set_strategy(&defaults);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    restore_default_strategy();  // records the defaults before any input changes them
    for (int t = 1; t < kThreads; ++t) g_workers[t].start();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<Op> ops = decode(data, size);
    restore_default_strategy();
    size_t i = 0;
    while (i < ops.size()) {
        size_t j = i + 1;
        while (j < ops.size() && ops[j].thread == ops[i].thread && ops[j].kind != kRestart) ++j;
        int t = ops[i].thread;
        if (ops[i].kind == kRestart) {
            if (t != 0) {
                g_workers[t].stop();  // its heap is abandoned with any blocks it still owns
                g_workers[t].start();
            }
            j = i + 1;
        } else if (t == 0) {
            for (g_op_index = i; g_op_index < j; ++g_op_index) {
                g_current = &ops[g_op_index];
                run_op(ops[g_op_index]);
            }
        } else {
            g_workers[t].run(ops.data() + i, ops.data() + j, i);
        }
        i = j;
    }
    // Free what is left, from the fuzzer's thread: mostly remote frees.
    Op cleanup{kFree, 0, 0, 0, 0, 0, 0};
    g_current = &cleanup;
    for (int s = 0; s < kSlots; ++s) {
        cleanup.slot = static_cast<uint8_t>(s);
        free_slot(s, 0);
    }
    return 0;
}
