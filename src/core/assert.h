// Levelled assertions for the checked build (HAKMEM_CHECKED=1, the debug and
// asan presets). In every other build HAK_ASSERT compiles to nothing: the
// condition is not evaluated (only named inside sizeof, so its variables
// still count as used).
//
//   HAK_ASSERT(1, cond, what)  cheap: a compare or two, fine on any slow path
//   HAK_ASSERT(2, cond, what)  expensive: walks of lists, pages or segments
//
// HAKMEM_CHECK_LEVEL (default 2) drops the levels above it from a checked
// build, for a checked build that must run close to full speed.
//
// A failure prints one line, `hakmem: assertion failed at file:line: cond
// (what)`, through os::print_line (no allocation), then aborts.
#pragma once

#ifndef HAKMEM_CHECK_LEVEL
#define HAKMEM_CHECK_LEVEL 2
#endif

namespace hakmem {

[[noreturn]] void assert_fail(const char* file, int line, const char* cond, const char* what);

}  // namespace hakmem

#if HAKMEM_CHECKED
#define HAK_ASSERT(level, cond, what)                                                       \
    do {                                                                                    \
        if constexpr ((level) <= HAKMEM_CHECK_LEVEL) {                                      \
            if (__builtin_expect(!(cond), 0)) ::hakmem::assert_fail(__FILE__, __LINE__, #cond, what); \
        }                                                                                   \
    } while (0)
#else
#define HAK_ASSERT(level, cond, what) \
    do {                              \
        (void)sizeof(!(cond));        \
    } while (0)
#endif
