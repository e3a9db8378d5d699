// The heap profile: telemetry's per-site counters in the text format of
// gperftools' heap profiles, which pprof (Go) and google-pprof (perl) read
// (HAKMEM_HEAP_PROFILE, hak_write_heap_profile; docs/OPTIONS.md).
//
//   heap profile: <inuse objects>: <inuse bytes> [<alloc objects>: <alloc bytes>] @ heap_v2/<R>
//   <inuse objects>: <inuse bytes> [<alloc objects>: <alloc bytes>] @ 0x<site>
//   ...
//   MAPPED_LIBRARIES:
//   <a copy of /proc/self/maps>
//
// One line per call site: the live heap (in-use: sampled blocks not freed)
// and every allocation since the start (alloc), the two profiles pprof
// shows with -inuse_space and -alloc_space. "heap_v2/R" says the counts are
// samples of a Poisson byte sampler of mean interval R, which is what
// hakmem's sampler is (telemetry/sampler.h); pprof un-samples each line by
// 1/p(avg) with p(s) = 1 - exp(-s/R) and avg = bytes / objects of the line
// (google-pprof's ReadHeapProfile, pprof's scaleHeapSample).
//
// Why not the raw sample counts: pprof scales a whole line by the p of its
// average size, right only when a site allocates one size at interval R.
// hakmem already holds an exact Horvitz-Thompson estimate per site (count C
// and bytes E, each sample weighted by the p of its own size and of the
// interval it was drawn at, which the rate controller may have raised).
// The line therefore carries those estimates as the samples an R-sampler
// would expect: objects = round(C * q), bytes = round(E * q) with
// q = p(E / C); pprof's un-sampling turns them back into C and E but for
// the rounding of objects to a whole number n of samples (half a sample:
// pprof's bytes move by up to 1/(2n - 1), its objects by about twice that).
// For a site of one size sampled at R these are exactly its samples.
#pragma once
#include <cstdint>

namespace hakmem::telemetry {

// One column pair of a line: estimated objects and bytes as samples at R.
struct ProfileCounts {
    uint64_t objects;
    uint64_t bytes;
};
ProfileCounts profile_counts(double est_objects, double est_bytes, uint64_t period);

}  // namespace hakmem::telemetry

namespace hakmem {

// Writes the heap profile to `path` ("%p" = pid) through os::replace_file
// (atomic, never through a planted link). HAK_OK, HAK_E_INVALID (no path)
// or HAK_E_IO.
int telemetry_write_heap_profile(const char* path);

}  // namespace hakmem
