#include "api/new_handler.h"

#include <new>

#include "dispatch/dispatch.h"

// libhakmem.so does not link libstdc++. This file's catch needs the C++
// runtime's personality routine and catch helpers; as weak references they
// resolve whenever the program is C++ (the only case in which operator new
// is called and a handler can throw).
// (The personality routine is referenced by the compiler's unwind data,
// not by a declaration, hence the assembler directive.)
asm(".weak __gxx_personality_v0");
extern "C" {
__attribute__((weak)) void* __cxa_begin_catch(void*) noexcept;
__attribute__((weak)) void __cxa_end_catch();
}
extern "C" std::new_handler hak_weak_get_new_handler_nothrow() __asm__("_ZSt15get_new_handlerv") __attribute__((weak));

namespace hakmem {

void* new_retry_nothrow(size_t size, size_t alignment) noexcept {
    for (;;) {
        std::new_handler handler = hak_weak_get_new_handler_nothrow ? hak_weak_get_new_handler_nothrow() : nullptr;
        if (handler == nullptr) return nullptr;
        try {
            handler();
        } catch (...) {
            return nullptr;
        }
        void* p = alignment ? alloc_aligned(size, alignment, 0) : alloc(size, 0);
        if (p != nullptr) return p;
    }
}

}  // namespace hakmem
