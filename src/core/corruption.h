// What hakmem does when it detects heap corruption: a double free, a free
// of a pointer it never returned, a free list that loops. It prints one
// line naming the pointer and the kind of error, then aborts (the default,
// as glibc does) or, with HAKMEM_ON_ERROR=report, ignores the operation and
// carries on. Never a hang, never a block handed out twice.
#pragma once

namespace hakmem {

enum class OnError : int { kAbort = 0, kReport = 1 };

// Reports `what` about `p` and aborts unless the mode is kReport; returns
// only in report mode (the caller then ignores the operation).
__attribute__((cold, noinline)) void heap_corruption(const void* p, const char* what);

// The mode in force: HAKMEM_ON_ERROR, unless overridden.
OnError on_error_mode();
// Overrides HAKMEM_ON_ERROR for the rest of the process (tests).
void on_error_override(OnError mode);

}  // namespace hakmem
