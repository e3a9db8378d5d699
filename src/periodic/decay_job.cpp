#include "periodic/decay_job.h"

#include "core/heap.h"
#include "core/segment.h"
#include "large/large_cache.h"
#include "periodic/periodic.h"

namespace hakmem {

uint64_t decay_run(uint64_t now) {
    heap_decay_all(false);
    segments_decay(false);
    return large_cache_decay(now, false);
}

void decay_job_register() { periodic_register("decay", &decay_run, /*on_request=*/true, 0); }

}  // namespace hakmem
