#include "allocators.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>

namespace hakbench {

namespace {

bool is_file(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string basename_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

}  // namespace

const std::vector<AllocatorSpec>& peer_allocators() {
  // The -dev packages are named the same across Debian releases (the runtime
  // packages carry the soname and change), and match the Makefile's list.
  static const std::vector<AllocatorSpec> v = {
      {"glibc", {}, ""},
      {"mimalloc", {"libmimalloc.so.2", "libmimalloc.so.3", "libmimalloc.so"}, "libmimalloc-dev"},
      {"jemalloc", {"libjemalloc.so.2", "libjemalloc.so"}, "libjemalloc-dev"},
      // tcmalloc_minimal: the allocator without the heap profiler's hooks,
      // which is what people deploy for speed.
      {"tcmalloc", {"libtcmalloc_minimal.so.4", "libtcmalloc.so.4"}, "libgoogle-perftools-dev"},
  };
  return v;
}

const AllocatorSpec* find_peer(const std::string& name) {
  for (const auto& s : peer_allocators())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> library_dirs(const std::string& multiarch) {
  std::vector<std::string> dirs;
  if (!multiarch.empty()) {
    dirs.push_back("/usr/lib/" + multiarch);
    dirs.push_back("/lib/" + multiarch);
  }
  for (const char* d : {"/usr/lib64", "/usr/lib", "/usr/local/lib", "/lib64", "/lib"}) dirs.push_back(d);
  return dirs;
}

std::optional<std::string> find_library(const AllocatorSpec& spec, const std::vector<std::string>& dirs) {
  for (const auto& file : spec.files)
    for (const auto& dir : dirs)
      if (is_file(dir + "/" + file)) return dir + "/" + file;
  return std::nullopt;
}

bool malloc_lib_matches(const std::string& preload, const std::string& reported) {
  if (preload.empty()) return basename_of(reported).rfind("libc.so", 0) == 0;
  if (real_path(preload) == real_path(reported)) return true;
  // The loader may report the name as given in LD_PRELOAD or the soname path.
  return basename_of(real_path(preload)) == basename_of(real_path(reported));
}

}  // namespace hakbench
