#include "telemetry/tdigest.h"

#include <algorithm>

#include "telemetry/fastmath.h"

namespace hakmem::telemetry {
namespace {

using fastmath::kPi;

// k1 and its inverse, for compression `delta`.
double k_of_q(double q, double delta) { return delta / (2 * kPi) * fastmath::asin(2 * q - 1); }
double q_of_k(double k, double delta) {
    double x = 2 * kPi * k / delta;
    if (x >= kPi / 2) return 1;
    if (x <= -kPi / 2) return 0;
    return (fastmath::sin(x) + 1) / 2;
}

}  // namespace

void TDigest::add(double value, double weight) {
    if (!(weight > 0)) return;
    if (count_ + unmerged_ == kCapacity) compress();
    if (total_ == 0) {
        min_ = max_ = value;
    } else {
        min_ = std::min(min_, value);
        max_ = std::max(max_, value);
    }
    items_[count_ + unmerged_++] = Centroid{value, weight};
    total_ += weight;
}

void TDigest::merge(TDigest& other) {
    other.compress();
    for (unsigned i = 0; i < other.count_; ++i) {
        if (count_ + unmerged_ == kCapacity) compress();
        items_[count_ + unmerged_++] = other.items_[i];
    }
    if (other.total_ > 0) {
        min_ = total_ > 0 ? std::min(min_, other.min_) : other.min_;
        max_ = total_ > 0 ? std::max(max_, other.max_) : other.max_;
    }
    total_ += other.total_;
}

void TDigest::compress() {
    if (unmerged_ == 0 && count_ <= kMaxCentroids) return;
    unsigned n = count_ + unmerged_;
    std::sort(items_, items_ + n, [](const Centroid& a, const Centroid& b) { return a.mean < b.mean; });
    // A few heavy values can leave more than kMaxCentroids centroids at
    // kDelta; compress again with a smaller delta until they fit.
    for (double delta = kDelta;; delta *= 0.75) {
        double total = 0;
        for (unsigned i = 0; i < n; ++i) total += items_[i].weight;
        unsigned out = 0;
        double before = 0;  // weight of the centroids already written
        Centroid cur = items_[0];
        double limit = total * q_of_k(k_of_q(0, delta) + 1, delta);
        for (unsigned i = 1; i < n; ++i) {
            const Centroid& c = items_[i];
            if (before + cur.weight + c.weight <= limit) {
                double w = cur.weight + c.weight;
                cur.mean += (c.mean - cur.mean) * (c.weight / w);
                cur.weight = w;
            } else {
                items_[out++] = cur;
                before += cur.weight;
                limit = total * q_of_k(k_of_q(before / total, delta) + 1, delta);
                cur = c;
            }
        }
        items_[out++] = cur;
        n = out;
        if (n <= kMaxCentroids) break;
    }
    count_ = n;
    unmerged_ = 0;
}

double TDigest::quantile(double q) {
    compress();
    if (count_ == 0) return 0;
    if (q <= 0) return min_;
    if (q >= 1) return max_;
    if (count_ == 1) return items_[0].mean;
    double target = q * total_;
    // Each centroid's mass is taken as centred on its mean: between the
    // centres of two neighbours the value is interpolated linearly; before
    // the first centre and after the last, towards min and max.
    double first_half = items_[0].weight / 2;
    if (target < first_half) return min_ + (items_[0].mean - min_) * (target / first_half);
    double cum = first_half;  // cumulative weight at the centre of centroid i
    for (unsigned i = 0; i + 1 < count_; ++i) {
        double step = (items_[i].weight + items_[i + 1].weight) / 2;
        if (target < cum + step) {
            double f = (target - cum) / step;
            return items_[i].mean + (items_[i + 1].mean - items_[i].mean) * f;
        }
        cum += step;
    }
    double last_half = items_[count_ - 1].weight / 2;
    double f = last_half > 0 ? (target - cum) / last_half : 1;
    if (f > 1) f = 1;
    return items_[count_ - 1].mean + (max_ - items_[count_ - 1].mean) * f;
}

}  // namespace hakmem::telemetry
