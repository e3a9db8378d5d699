#include "learn/cost.h"

#include <cmath>

namespace hakmem::learn {

double relative_difference(double a, double b) {
    double mean = (a + b) / 2;
    // Below this both sides are zero for every purpose (a fraction of a
    // nanosecond, of a fault, of a byte).
    if (std::fabs(mean) < 1e-9) return 0;
    return (b - a) / mean;
}

double paired_difference(const EpochCost& a, const EpochCost& b, const CostWeights& w) {
    double sum = w.memory * relative_difference(a.memory, b.memory);
    double weight = w.memory;
    if (a.active && b.active) {
        sum += w.cpu * relative_difference(a.cpu, b.cpu) + w.faults * relative_difference(a.faults, b.faults);
        weight += w.cpu + w.faults;
    }
    return weight > 0 ? sum / weight : 0;
}

void CostSum::add(const EpochCost& c) {
    ++epochs_;
    memory_ += c.memory;
    if (c.active) {
        ++active_;
        cpu_ += c.cpu;
        faults_ += c.faults;
    }
}

EpochCost CostSum::mean() const {
    EpochCost m;
    if (epochs_ == 0) return m;
    m.memory = memory_ / static_cast<double>(epochs_);
    if (active_ > 0) {
        m.active = true;
        m.cpu = cpu_ / static_cast<double>(active_);
        m.faults = faults_ / static_cast<double>(active_);
    }
    return m;
}

}  // namespace hakmem::learn
