// A bitmap of the 4 MiB address chunks where a live hakmem segment starts.
// It answers "is this pointer's segment ours?" without touching the
// (possibly unmapped) memory the pointer names: the free paths that handle
// foreign-looking pointers check it before reading any header.
// 2^47 bytes of user address space / 4 MiB = 2^25 bits = 4 MiB of .bss,
// of which only the words for chunks in use are ever touched (resident).
#pragma once
#include <cstdint>

namespace hakmem {
void segment_map_set(const void* segment, bool live);
bool segment_map_contains(const void* segment);
}  // namespace hakmem
