#include "large/decay.h"

#include "core/heap.h"
#include "core/segment.h"
#include "large/large_cache.h"
#include "os/background.h"

namespace hakmem {

uint64_t decay_run(uint64_t now) {
    heap_decay_all(false);
    segments_decay(false);
    return large_cache_decay(now, false);
}

void decay_init() {
    os::background_set_work(&decay_run);
    os::background_allow_start();
}

}  // namespace hakmem
