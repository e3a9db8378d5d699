#include "resolve.h"

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "allocators.h"
#include "spawn.h"

namespace hakbench {

namespace {

bool exists(const std::string& path) {
  struct stat st{};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

// apt-get install -y, the same way scripts/ensure-packages.sh does it: try,
// and on failure refresh the package lists once and try again.
bool apt_install(const std::string& package) {
  const std::string apt = find_program("apt-get");
  if (apt.empty()) return false;
  ::setenv("DEBIAN_FRONTEND", "noninteractive", 1);
  std::cerr << "hakmem-bench: installing " << package << " (running as root)\n";
  if (run_child({apt, "install", "-y", "-qq", package}, "", 900).exit_code == 0) return true;
  run_child({apt, "update", "-qq"}, "", 900);
  return run_child({apt, "install", "-y", "-qq", package}, "", 900).exit_code == 0;
}

}  // namespace

std::string hakmem_library(const Options& options, const ResolveEnv& env) {
  if (!options.hakmem_lib.empty()) return options.hakmem_lib;
  if (const char* e = std::getenv("HAKMEM_BENCH_LIB"); e && *e) return e;
  return env.built_hakmem_lib;
}

Resolution resolve_allocators(const Options& options, const ResolveEnv& env) {
  Resolution res;
  const auto dirs = library_dirs(env.multiarch);
  for (const auto& name : options.allocators) {
    if (name == "glibc") {
      res.targets.push_back({name, ""});
      continue;
    }
    if (name == "hakmem") {
      const std::string lib = hakmem_library(options, env);
      if (exists(lib)) {
        res.targets.push_back({name, lib});
      } else {
        res.skipped.push_back(
            "hakmem: library " + (lib.empty() ? std::string("(none configured)") : lib) +
            " not found; build it with `cmake --build --preset release --target hakmem`, "
            "or pass --hakmem-lib PATH / set HAKMEM_BENCH_LIB");
        res.missing_requested |= options.allocators_given;
      }
      continue;
    }
    if (name == "hakmem-secure") {  // the secure build, beside the default one
      if (exists(env.built_hakmem_secure_lib)) {
        res.targets.push_back({name, env.built_hakmem_secure_lib});
      } else {
        res.skipped.push_back("hakmem-secure: libhakmem_secure.so not built (HAKMEM_BUILD_SECURE=OFF?)");
        res.missing_requested |= options.allocators_given;
      }
      continue;
    }
    const AllocatorSpec* spec = find_peer(name);
    if (spec == nullptr) continue;  // options.cpp rejects unknown names
    auto lib = find_library(*spec, dirs);
    if (!lib && env.may_install && apt_install(spec->package)) lib = find_library(*spec, dirs);
    if (lib) {
      res.targets.push_back({name, *lib});
    } else {
      res.skipped.push_back(name + ": " + spec->files.front() + " not installed; add it with " +
                            "`sudo apt-get install -y " + spec->package + "`");
      res.missing_requested |= options.allocators_given;
    }
  }
  return res;
}

}  // namespace hakbench
