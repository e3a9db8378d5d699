// Which size classes keep a foreign cache (core/foreign_cache.h): those of
// the malloc fast table whose size is a multiple of 64, so a kept block
// spans whole cache lines of its own; none in the secure build. Apart from
// the cache so that pages (core/page.cpp) can record their class's slot.
#pragma once
#include <cstdint>

#include "core/secure.h"
#include "core/size_class.h"

namespace hakmem {

// The classes a foreign cache may serve: those of the malloc fast table.
inline constexpr unsigned kForeignClasses = 32;
static_assert(class_size_computed(kForeignClasses - 1) == kTableMaxSize, "the fast table's classes");

constexpr uint32_t foreign_class_mask() {
    uint32_t mask = 0;
    for (unsigned cls = 0; cls < kForeignClasses; ++cls)
        if (class_size_computed(cls) % 64 == 0) mask |= 1u << cls;
    return mask;
}
inline constexpr uint32_t kForeignClassMask = kSecure ? 0 : foreign_class_mask();
static_assert((foreign_class_mask() & 1) == 0, "class 0 is the slot of classes that keep nothing");

constexpr bool foreign_class_keeps(unsigned cls) { return cls < kForeignClasses && ((kForeignClassMask >> cls) & 1) != 0; }
// A page's Page::foreign_slot: its class, or 0, whose cache never keeps a block.
constexpr unsigned foreign_slot_of(unsigned cls) { return foreign_class_keeps(cls) ? cls : 0; }

}  // namespace hakmem
