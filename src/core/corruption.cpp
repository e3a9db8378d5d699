#include "core/corruption.h"

#include <atomic>
#include <cstdlib>

#include "os/os_print.h"
#include "policy/options.h"

namespace hakmem {
namespace {
std::atomic<int> g_override{-1};  // -1: follow the option
}  // namespace

OnError on_error_mode() {
    int o = g_override.load(std::memory_order_relaxed);
    return static_cast<OnError>(o >= 0 ? o : static_cast<int>(option_get(Option::kOnError)));
}

void on_error_override(OnError mode) { g_override.store(static_cast<int>(mode), std::memory_order_relaxed); }

void heap_corruption(const void* p, const char* what) {
    if (on_error_mode() == OnError::kReport) {
        os::print_line("error: %s: %p (ignored)", what, p);
        return;
    }
    os::print_line("error: %s: %p (aborting; HAKMEM_ON_ERROR=report would ignore it)", what, p);
    abort();
}

}  // namespace hakmem
