// The malloc override: the C allocation functions and every C++ operator
// new/delete, each one line into the same inline fast paths the hak_* API
// uses (no extra hop). Built into libhakmem.so (LD_PRELOAD or link) and
// libhakmem.a unless HAKMEM_OVERRIDE is off (sanitizer builds).
#include <cerrno>
#include <cstddef>
#include <new>

#include "api/alloc_ops.h"
#include "api/init.h"
#include "api/mallinfo.h"
#include "api/new_handler.h"
#include "dispatch/dispatch.h"

#define HAK_EXPORT extern "C" __attribute__((visibility("default")))
#define HAK_EXPORT_CXX __attribute__((visibility("default")))

using namespace hakmem;

HAK_LINK_LIBRARY_INIT;

HAK_EXPORT void* malloc(size_t size) { return alloc<true>(size); }
HAK_EXPORT void free(void* p) { dealloc(p); }
HAK_EXPORT void* calloc(size_t n, size_t size) { return calloc_impl(n, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* realloc(void* p, size_t size) { return realloc_impl(p, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* reallocarray(void* p, size_t n, size_t size) { return reallocarray_impl(p, n, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT int posix_memalign(void** out, size_t alignment, size_t size) { return posix_memalign_impl(out, alignment, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* aligned_alloc(size_t alignment, size_t size) { return aligned_alloc_impl(alignment, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* memalign(size_t alignment, size_t size) { return memalign_impl(alignment, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* valloc(size_t size) { return valloc_impl(size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* pvalloc(size_t size) { return pvalloc_impl(size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT size_t malloc_usable_size(void* p) { return usable_size(p); }
HAK_EXPORT void free_sized(void* p, size_t) { dealloc(p); }
HAK_EXPORT void free_aligned_sized(void* p, size_t, size_t) { dealloc(p); }
// glibc's introspection, answered from hakmem's statistics (api/mallinfo.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // mallinfo, deprecated by glibc 2.33 but still called
HAK_EXPORT struct mallinfo mallinfo() noexcept { return mallinfo_impl(); }
#pragma GCC diagnostic pop
HAK_EXPORT struct mallinfo2 mallinfo2() noexcept { return mallinfo2_impl(); }
HAK_EXPORT int malloc_trim(size_t pad) noexcept { return malloc_trim_impl(pad); }
HAK_EXPORT void malloc_stats() noexcept { malloc_stats_impl(); }
HAK_EXPORT int malloc_info(int options, FILE* fp) noexcept { return malloc_info_impl(options, fp); }
// glibc's internal aliases, which some programs and libc itself call.
HAK_EXPORT void* __libc_malloc(size_t size) { return alloc<true>(size); }
HAK_EXPORT void __libc_free(void* p) { dealloc(p); }
HAK_EXPORT void* __libc_calloc(size_t n, size_t size) { return calloc_impl(n, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* __libc_realloc(void* p, size_t size) { return realloc_impl(p, size, HAK_RETURN_ADDRESS()); }
HAK_EXPORT void* __libc_memalign(size_t alignment, size_t size) { return memalign_impl(alignment, size, HAK_RETURN_ADDRESS()); }

// ---- C++ ----------------------------------------------------------------
// new must not return nullptr: on failure it calls the new_handler, if one
// is installed, and retries; otherwise it throws std::bad_alloc.
//
// libhakmem.so does not link libstdc++ (a C program preloading hakmem should
// not have to load it): the two libstdc++ functions this needs are weak
// references, resolved whenever the program is C++ - which it is whenever
// operator new is called at all. Without them (a C program calling the
// mangled operator new by hand) a failed new aborts.
extern "C" std::new_handler hak_weak_get_new_handler() __asm__("_ZSt15get_new_handlerv") __attribute__((weak));
extern "C" [[noreturn]] void hak_weak_throw_bad_alloc() __asm__("_ZSt17__throw_bad_allocv") __attribute__((weak));

namespace {
__attribute__((noinline, cold)) void* new_failed(size_t size, size_t alignment, bool nothrow) {
    // nothrow new must turn an exception from the handler into nullptr: that
    // needs a catch, which lives in the one file built with exceptions.
    if (nothrow) return hakmem::new_retry_nothrow(size, alignment);
    for (;;) {
        std::new_handler handler = hak_weak_get_new_handler ? hak_weak_get_new_handler() : nullptr;
        if (handler == nullptr) {
            if (hak_weak_throw_bad_alloc) hak_weak_throw_bad_alloc();
            __builtin_trap();
        }
        handler();
        void* p = alignment ? alloc_aligned(size, alignment, 0) : alloc(size, 0);
        if (p != nullptr) return p;
    }
}
// The miss paths of operator new, tail-called by the inline fast path so
// their return address is new's caller (the call site) and new needs no frame.
__attribute__((noinline)) void* new_slow(size_t size) {
    void* p = alloc_slow(size, HAK_RETURN_ADDRESS());
    return __builtin_expect(p != nullptr, 1) ? p : new_failed(size, 0, false);
}
__attribute__((noinline)) void* new_slow_nothrow(size_t size) {
    void* p = alloc_slow(size, HAK_RETURN_ADDRESS());
    return __builtin_expect(p != nullptr, 1) ? p : new_failed(size, 0, true);
}
inline void* new_impl(size_t size) { return alloc_or(size, new_slow); }
inline void* new_nothrow(size_t size) { return alloc_or(size, new_slow_nothrow); }
inline void* new_aligned(size_t size, std::align_val_t al, bool nothrow) {
    void* p = alloc_aligned(size, static_cast<size_t>(al), HAK_RETURN_ADDRESS());
    return p != nullptr ? p : new_failed(size, static_cast<size_t>(al), nothrow);
}
}  // namespace

HAK_EXPORT_CXX void* operator new(size_t size) { return new_impl(size); }
HAK_EXPORT_CXX void* operator new[](size_t size) { return new_impl(size); }
HAK_EXPORT_CXX void* operator new(size_t size, const std::nothrow_t&) noexcept { return new_nothrow(size); }
HAK_EXPORT_CXX void* operator new[](size_t size, const std::nothrow_t&) noexcept { return new_nothrow(size); }
HAK_EXPORT_CXX void* operator new(size_t size, std::align_val_t al) { return new_aligned(size, al, false); }
HAK_EXPORT_CXX void* operator new[](size_t size, std::align_val_t al) { return new_aligned(size, al, false); }
HAK_EXPORT_CXX void* operator new(size_t size, std::align_val_t al, const std::nothrow_t&) noexcept { return new_aligned(size, al, true); }
HAK_EXPORT_CXX void* operator new[](size_t size, std::align_val_t al, const std::nothrow_t&) noexcept { return new_aligned(size, al, true); }

HAK_EXPORT_CXX void operator delete(void* p) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete[](void* p) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete(void* p, size_t) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete[](void* p, size_t) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete(void* p, const std::nothrow_t&) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete[](void* p, const std::nothrow_t&) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete(void* p, std::align_val_t) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete[](void* p, std::align_val_t) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete(void* p, size_t, std::align_val_t) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete[](void* p, size_t, std::align_val_t) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { dealloc(p); }
HAK_EXPORT_CXX void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { dealloc(p); }
