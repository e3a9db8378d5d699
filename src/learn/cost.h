// The cost of an epoch, in three parts, and how two strategies' costs are
// compared.
//
// Parts (read once per epoch, learn/signals.h):
//   cpu     process CPU time (user + system) per allocation
//   faults  minor page faults plus allocator system calls (mmap, munmap,
//           madvise, mremap) per allocation: the kernel work the policy causes
//   memory  memory held beyond the live bytes (RSS minus live), averaged
//           over the epoch: the program's own data is not the policy's cost
// Per allocation, so that busier epochs do not look costlier. An epoch with
// too few allocations has no cpu or faults figure (only memory counts then).
//
// Comparison is scale-free (../shared/LEARNING.md): each part's relative
// difference (b - a) / mean(a, b), weighted (0.4 cpu, 0.3 faults, 0.3
// memory by default, as the seed design asks), never a fixed normalising
// constant. Paired: the two sides ran in alternating epochs of one process.
#pragma once
#include <cstddef>

namespace hakmem::learn {

struct CostWeights {
    double cpu = 0.4;
    double faults = 0.3;
    double memory = 0.3;
};

struct EpochCost {
    double cpu = 0;     // ns per allocation
    double faults = 0;  // faults and system calls per allocation
    double memory = 0;  // bytes held beyond live, mean over the epoch
    bool active = false;  // enough allocations for cpu and faults to mean something
};

// (b - a) / mean(a, b), in [-2, 2]; 0 when both are (near) zero.
double relative_difference(double a, double b);

// The weighted relative difference of b against a: negative when b is
// cheaper. Parts that either side lacks (an idle epoch) are left out and the
// remaining weights renormalised.
double paired_difference(const EpochCost& a, const EpochCost& b, const CostWeights& w);

// Accumulates epochs into their mean (cpu and faults over active epochs only).
class CostSum {
public:
    void add(const EpochCost& c);
    EpochCost mean() const;
    size_t epochs() const { return epochs_; }
    void clear() { *this = CostSum{}; }

private:
    double cpu_ = 0, faults_ = 0, memory_ = 0;
    size_t active_ = 0, epochs_ = 0;
};

}  // namespace hakmem::learn
