// Size classes of the small and medium path.
//
// Classes are multiples of 16 so every block is 16-byte aligned (glibc's
// malloc guarantee on x86-64). Up to 128 B they step by 16; from 128 B to
// 4 KiB each power-of-two range [2^k, 2^(k+1)] is split into 8 classes, so
// the internal waste of a block is below 1/8 (12.5%) of its size. Between
// 64 and 128 B the 16-byte alignment makes 12.5% impossible (a 65 B request
// cannot get a 16-aligned class below 80 B): waste there is at most 15 bytes.
//
// Above 4 KiB (kFineMaxSize) each range is split into 4 classes: waste below
// 25% of the block, as in mimalloc and jemalloc. A block that big spans OS
// pages, so most of that waste is address space the program never touches,
// while every class costs resident memory of its own: each class's pages
// keep room for that class's peak of live blocks, and a class's peak above
// its mean does not halve when its share of the blocks does. With 8 classes
// per range up to 64 KiB, `workingset` (4 threads replacing blocks of
// 4 B-32 KiB) held 42.9 MiB of peak RSS; with 4 above 4 KiB, 37.0 MiB
// (mimalloc: 34.8), and it ran 9% faster (fewer page faults).
//
// 64 classes cover 16 B .. 64 KiB (kMaxSmallSize). Sizes up to 1 KiB - the
// bulk of a typical program's requests - map through a 65-entry table.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hakmem {

inline constexpr size_t kMaxSmallSize = 64 * 1024;
inline constexpr size_t kTableMaxSize = 1024;
inline constexpr size_t kFineMaxSize = 4096;  // 8 classes per power of two up to here, 4 above
inline constexpr unsigned kFineClasses = 48;   // the classes of 16 B .. kFineMaxSize
inline constexpr unsigned kNumClasses = 64;

constexpr unsigned class_of_computed(size_t size) {
    if (size <= 128) return size <= 16 ? 0u : static_cast<unsigned>((size + 15) / 16 - 1);
    size_t s = size - 1;
    unsigned log2 = 63u - static_cast<unsigned>(__builtin_clzll(s));  // >= 7
    if (size <= kFineMaxSize) {
        unsigned sub = static_cast<unsigned>(s >> (log2 - 3)) - 8;  // 0..7
        return 8 + (log2 - 7) * 8 + sub;
    }
    unsigned sub = static_cast<unsigned>(s >> (log2 - 2)) - 4;  // 0..3
    return kFineClasses + (log2 - 12) * 4 + sub;
}

constexpr size_t class_size_computed(unsigned cls) {
    if (cls < 8) return 16 * (cls + 1);
    if (cls < kFineClasses) {
        unsigned group = (cls - 8) / 8, sub = (cls - 8) % 8;
        size_t base = size_t{128} << group;
        return base + (base / 8) * (sub + 1);
    }
    unsigned group = (cls - kFineClasses) / 4, sub = (cls - kFineClasses) % 4;
    size_t base = kFineMaxSize << group;
    return base + (base / 4) * (sub + 1);
}

// The fast path indexes by (size + 15) / 16 ("direct index") for sizes up to 1 KiB.
inline constexpr unsigned kDirectSlots = kTableMaxSize / 16 + 1;
__attribute__((always_inline)) inline constexpr size_t direct_index(size_t size) { return (size + 15) >> 4; }

struct SizeClassTables {
    uint8_t small_class[kDirectSlots];  // class of each direct index
    uint32_t class_size[kNumClasses];
    // Direct indices [direct_first, direct_end) of each class (empty above 1 KiB).
    uint8_t direct_first[kNumClasses];
    uint8_t direct_end[kNumClasses];
    constexpr SizeClassTables() : small_class(), class_size(), direct_first(), direct_end() {
        for (size_t i = 0; i < kDirectSlots; ++i) small_class[i] = static_cast<uint8_t>(class_of_computed(i * 16));
        for (unsigned c = 0; c < kNumClasses; ++c) class_size[c] = static_cast<uint32_t>(class_size_computed(c));
        for (size_t i = kDirectSlots; i-- > 0;) {
            direct_first[small_class[i]] = static_cast<uint8_t>(i);
            if (direct_end[small_class[i]] == 0) direct_end[small_class[i]] = static_cast<uint8_t>(i + 1);
        }
    }
};
extern const SizeClassTables g_size_classes;

// Precondition: size <= kMaxSmallSize.
__attribute__((always_inline)) inline unsigned class_of(size_t size) {
    if (__builtin_expect(size <= kTableMaxSize, 1)) return g_size_classes.small_class[direct_index(size)];
    return class_of_computed(size);
}
inline size_t class_size(unsigned cls) { return g_size_classes.class_size[cls]; }
// The first class of at least `size` bytes whose size is a multiple of
// `multiple` (a power of two up to 4 KiB), or kNumClasses if none. Pages
// start 4 KiB-aligned, so every block of such a class starts on a multiple
// of it: aligned allocations, and blocks that own whole cache lines.
inline unsigned class_of_multiple(size_t size, size_t multiple) {
    for (unsigned cls = class_of(size < multiple ? multiple : size); cls < kNumClasses; ++cls)
        if (class_size(cls) % multiple == 0) return cls;
    return kNumClasses;
}

static_assert(class_size_computed(kNumClasses - 1) == kMaxSmallSize);
static_assert(class_of_computed(kMaxSmallSize) == kNumClasses - 1);
static_assert(class_of_computed(129) == 8 && class_size_computed(8) == 144);
static_assert(class_of_computed(kFineMaxSize) == kFineClasses - 1 && class_size_computed(kFineClasses - 1) == kFineMaxSize);
static_assert(class_of_computed(kFineMaxSize + 1) == kFineClasses && class_size_computed(kFineClasses) == 5120);

}  // namespace hakmem
