#include "os/os_env.h"

#include <cstring>
#include <sys/auxv.h>

extern char** environ;

namespace hakmem::os {

const char* env_get(const char* name) {
    char** env = environ;
    if (env == nullptr) return nullptr;
    size_t len = strlen(name);
    for (; *env != nullptr; ++env) {
        if (strncmp(*env, name, len) == 0 && (*env)[len] == '=') return *env + len + 1;
    }
    return nullptr;
}

bool secure_execution() { return getauxval(AT_SECURE) != 0; }

}  // namespace hakmem::os
