// Turning allocator names into libraries to preload: finds the installed
// peers, installs a missing one when running as root, and locates the
// hakmem library of the build.
#pragma once

#include <string>
#include <vector>

#include "options.h"

namespace hakbench {

struct Target {
  std::string name;
  std::string preload;  // empty for glibc
};

struct Resolution {
  std::vector<Target> targets;       // in the order asked for
  std::vector<std::string> skipped;  // "name: why, and how to add it"
  bool missing_requested = false;    // an allocator named in --allocators is unavailable
};

struct ResolveEnv {
  std::string multiarch;         // e.g. x86_64-linux-gnu
  std::string built_hakmem_lib;  // $<TARGET_FILE:hakmem>, may be empty
  std::string built_hakmem_secure_lib;  // $<TARGET_FILE:hakmem_secure>, may be empty
  bool may_install = false;      // running as root with apt-get available
};

Resolution resolve_allocators(const Options& options, const ResolveEnv& env);

// --hakmem-lib, else $HAKMEM_BENCH_LIB, else the build's library.
std::string hakmem_library(const Options& options, const ResolveEnv& env);

}  // namespace hakbench
