// Page-Hinkley change detection, two-sided: a sustained shift of a signal's
// mean (up or down) by more than `delta`, accumulating past `lambda`.
//
// Fed with logarithms (of the allocation rate, of the champion's cost per
// operation) so that delta is a relative change and the test is scale-free.
#pragma once
#include <cstdint>

namespace hakmem::learn {

class PageHinkley {
public:
    // delta: the smallest shift of the mean that counts (in the signal's
    // units); lambda: the evidence needed; min_samples: samples before any
    // alarm (the running mean needs a few to settle).
    constexpr PageHinkley(double delta, double lambda, uint32_t min_samples)
        : delta_(delta), lambda_(lambda), min_samples_(min_samples) {}

    // Adds one sample; true when a change is detected (the test then restarts
    // from this sample, so the new level becomes the reference).
    bool add(double x) {
        ++n_;
        mean_ += (x - mean_) / static_cast<double>(n_);
        up_ += x - mean_ - delta_;    // grows while x stays above the mean
        down_ += x - mean_ + delta_;  // falls while x stays below it
        if (up_ < up_min_) up_min_ = up_;
        if (down_ > down_max_) down_max_ = down_;
        bool change = n_ >= min_samples_ && (up_ - up_min_ > lambda_ || down_max_ - down_ > lambda_);
        if (change) {
            reset();
            add(x);
        }
        return change;
    }
    void reset() { n_ = 0, mean_ = up_ = down_ = up_min_ = down_max_ = 0.0; }
    uint32_t samples() const { return n_; }

private:
    double delta_, lambda_;
    uint32_t min_samples_;
    uint32_t n_ = 0;
    double mean_ = 0, up_ = 0, down_ = 0, up_min_ = 0, down_max_ = 0;
};

}  // namespace hakmem::learn
