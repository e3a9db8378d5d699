// The malloc family's semantics (glibc's edge cases) on top of the core's
// alloc/dealloc. Shared by the hak_* API and the malloc override; the
// plain malloc and free go straight to the inline fast paths instead.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hakmem {
void* calloc_impl(size_t count, size_t size, uintptr_t site);
void* realloc_impl(void* p, size_t size, uintptr_t site);
void* reallocarray_impl(void* p, size_t count, size_t size, uintptr_t site);
int posix_memalign_impl(void** out, size_t alignment, size_t size, uintptr_t site);
void* aligned_alloc_impl(size_t alignment, size_t size, uintptr_t site);
void* memalign_impl(size_t alignment, size_t size, uintptr_t site);
void* valloc_impl(size_t size, uintptr_t site);
void* pvalloc_impl(size_t size, uintptr_t site);
}  // namespace hakmem

#define HAK_RETURN_ADDRESS() reinterpret_cast<uintptr_t>(__builtin_return_address(0))
