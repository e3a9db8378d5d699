// Sizes of small and medium blocks (realloc and malloc_usable_size ask for
// them through dispatch/, which answers large blocks itself).
#include "core/alloc.h"

namespace hakmem {

size_t small_usable_size(const void* p) { return small_usable_size(p, page_of(segment_of(p), p)); }

}  // namespace hakmem
