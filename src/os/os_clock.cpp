// The clock hook's one definition (os/os_clock.h).
#include "os/os_clock.h"

namespace hakmem::os {

std::atomic<ClockNowMs> g_clock_now_ms{nullptr};

void set_clock_for_testing(ClockNowMs fake) { g_clock_now_ms.store(fake, std::memory_order_release); }

}  // namespace hakmem::os
