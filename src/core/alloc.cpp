// Sizes of small and medium blocks (realloc and malloc_usable_size ask for
// them through dispatch/, which answers large blocks itself).
#include "core/alloc.h"

namespace hakmem {

size_t small_usable_size(const void* p) {
    Segment* seg = segment_of(p);
    Page* page = page_of(seg, p);
    if constexpr (kSecure) return secure::usable(static_cast<Block*>(const_cast<void*>(p)), page);
    return page->block_size;
}

}  // namespace hakmem
