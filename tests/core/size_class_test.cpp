// The size-class geometry (core/size_class.h) over every small and medium
// size: each request gets a 16-aligned class at least as big, the classes
// grow in order, and the waste stays within the documented bounds (15 B up
// to 128 B, 12.5% of the block up to 4 KiB, 25% above).
#include <gtest/gtest.h>

#include "core/size_class.h"

namespace {

using hakmem::class_of;
using hakmem::class_size;
using hakmem::kFineMaxSize;
using hakmem::kMaxSmallSize;
using hakmem::kNumClasses;

TEST(SizeClass, EverySizeGetsTheSmallestSixteenAlignedClassThatHoldsItWithinTheWasteBound) {
    unsigned previous = 0;
    for (size_t size = 1; size <= kMaxSmallSize; ++size) {
        unsigned cls = class_of(size);
        ASSERT_LT(cls, kNumClasses) << "size " << size;
        size_t block = class_size(cls);
        ASSERT_GE(block, size) << "size " << size << " got class " << cls;
        ASSERT_EQ(block % 16, 0u) << "class " << cls;
        ASSERT_GE(cls, previous) << "classes must not shrink as sizes grow (size " << size << ")";
        ASSERT_LE(cls, previous + 1) << "a class was skipped at size " << size;
        previous = cls;
        if (cls > 0) {
            ASSERT_LT(class_size(cls - 1), size) << "size " << size << " fits the class below";
        }
        size_t waste = block - size;
        if (size <= 128) {
            ASSERT_LE(waste, 15u) << "size " << size;
        } else if (size <= kFineMaxSize) {
            ASSERT_LT(waste * 8, block) << "size " << size << ": waste of 12.5% or more below 4 KiB";
        } else {
            ASSERT_LT(waste * 4, block) << "size " << size << ": waste of 25% or more above 4 KiB";
        }
    }
    EXPECT_EQ(previous, kNumClasses - 1) << "the last class is not reached at kMaxSmallSize";
    EXPECT_EQ(class_size(kNumClasses - 1), kMaxSmallSize);
}

TEST(SizeClass, AboveFourKiBEachPowerOfTwoHasFourClasses) {
    // Fewer classes above 4 KiB: the reason is the resident slack each class
    // keeps (size_class.h); this pins the geometry that comment measures.
    for (size_t base = kFineMaxSize; base < kMaxSmallSize; base *= 2)
        EXPECT_EQ(class_of(base * 2) - class_of(base), 4u) << "between " << base << " and " << base * 2;
    for (size_t base = 128; base < kFineMaxSize; base *= 2)
        EXPECT_EQ(class_of(base * 2) - class_of(base), 8u) << "between " << base << " and " << base * 2;
}

}  // namespace
