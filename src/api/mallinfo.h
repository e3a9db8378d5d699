// glibc's malloc introspection - mallinfo, mallinfo2, malloc_trim,
// malloc_stats, malloc_info - answered from hakmem's own statistics, so
// programs and tools that call them see hakmem's heap rather than glibc's
// empty arena. Exported by api/override.cpp (override builds only).
#pragma once
#include <cstddef>
#include <cstdio>
#include <malloc.h>

namespace hakmem {
struct mallinfo2 mallinfo2_impl();
struct mallinfo mallinfo_impl();  // mallinfo2 clamped to int
int malloc_trim_impl(size_t pad);
void malloc_stats_impl();
int malloc_info_impl(int options, FILE* fp);
}  // namespace hakmem
