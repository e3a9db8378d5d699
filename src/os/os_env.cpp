#include "os/os_env.h"

#include <cstring>
#include <sys/auxv.h>

namespace hakmem::os {

const char* env_find(const char* const* env, const char* name) {
    if (env == nullptr) return nullptr;
    size_t len = strlen(name);
    for (; *env != nullptr; ++env) {
        if (strncmp(*env, name, len) == 0 && (*env)[len] == '=') return *env + len + 1;
    }
    return nullptr;
}

bool secure_execution() { return getauxval(AT_SECURE) != 0; }

}  // namespace hakmem::os
