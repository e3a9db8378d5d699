// The allocators hakmem-bench compares, where their libraries live, and how
// to tell that the one we asked for is the one serving malloc.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hakbench {

struct AllocatorSpec {
  std::string name;
  std::vector<std::string> files;  // candidate library file names, preferred first
  std::string package;             // Debian package that provides one of them
};

// glibc (nothing preloaded), mimalloc, jemalloc, tcmalloc. hakmem is not in
// the table: its library comes from the build (see Allocator resolution in
// runner.cpp).
const std::vector<AllocatorSpec>& peer_allocators();
const AllocatorSpec* find_peer(const std::string& name);

// Library directories to search, most specific first, for a multiarch
// triplet such as "x86_64-linux-gnu" (may be empty).
std::vector<std::string> library_dirs(const std::string& multiarch);

// First existing file among spec.files in dirs.
std::optional<std::string> find_library(const AllocatorSpec& spec, const std::vector<std::string>& dirs);

// Whether the scenario's reported malloc library is the one we preloaded.
// An empty `preload` means glibc: the reported file must be libc.so.*.
// Otherwise both paths are compared after resolving symlinks, falling back to
// file names.
bool malloc_lib_matches(const std::string& preload, const std::string& reported);

}  // namespace hakbench
