// Run by playbook_setuid_test, setuid or not: prints whether the process is
// in secure-execution mode and the playbook path hakmem would use ("none").
#include <sys/auxv.h>

#include <cstdio>

#include "learn/playbook.h"
#include "policy/options.h"

// LeakSanitizer cannot inspect a setuid process (it is not dumpable) and
// would fail the run at exit. The probe leaks nothing anyway.
extern "C" int __lsan_is_turned_off() { return 1; }

int main() {
    hakmem::options_init();
    char path[4096];
    bool have = hakmem::learn::playbook_default_path(path, sizeof path);
    std::printf("at_secure=%lu\n", getauxval(AT_SECURE));
    std::printf("playbook=%s\n", have ? path : "none");
    return 0;
}
