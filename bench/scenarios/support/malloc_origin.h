// Which shared object is serving malloc in this process. The runner compares
// it with the allocator it meant to preload, so a typo'd LD_PRELOAD or a
// library that silently failed to interpose cannot produce a plausible
// looking (glibc) result under someone else's name.
#pragma once

#include <string>

namespace hakbench {

// File name of the object that defines the `malloc` the program calls, as
// the dynamic linker resolved it (dlsym(RTLD_DEFAULT) + dladdr).
std::string malloc_origin();

}  // namespace hakbench
