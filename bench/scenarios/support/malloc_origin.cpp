#include "malloc_origin.h"

#include <dlfcn.h>

namespace hakbench {

std::string malloc_origin() {
  void* sym = dlsym(RTLD_DEFAULT, "malloc");
  Dl_info info{};
  if (sym == nullptr || dladdr(sym, &info) == 0 || info.dli_fname == nullptr) return "unknown";
  return info.dli_fname;
}

}  // namespace hakbench
