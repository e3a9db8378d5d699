// The charts of `hakmem report --svg/--html`, from the same data as the text:
//   sites_bytes.svg     the top call sites by estimated bytes (bars)
//   site_sizes.svg      each top site's block sizes: p50..p95 box, whisker to p99
//   site_lifetimes.svg  the same for lifetimes (sites with freed samples)
//   learner_cost.svg    the learner's three cost parts per epoch, over the
//                       strategy that ran (a colour per candidate), with
//                       champion and phase changes marked
// Sizes and lifetimes span orders of magnitude within one program, so
// their axes are logarithmic; bytes and costs are linear from zero.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report.h"
#include "svg.h"

namespace hakmem_tool {
namespace {

using svg::Anchor;
using svg::Canvas;
using svg::Scale;

constexpr double kWidth = 960;
constexpr double kLabelWidth = 340;  // the site names, left of the marks
constexpr size_t kNameChars = 42;    // with "12. " about what fits in kLabelWidth at 12 px
constexpr double kRow = 24;
constexpr double kTop = 60;  // below the title and its subtitle
const char* const kInk = "#222";
const char* const kGrid = "#ddd";

void heading(Canvas& c, const std::string& title, const std::string& subtitle) {
    c.text(16, 24, title, Anchor::kStart, 15, true);
    c.text(16, 42, subtitle, Anchor::kStart, 11, false, "#555");
}

void site_label(Canvas& c, size_t i, const SiteRow& s, double y) {
    c.text(kLabelWidth - 10, y + kRow / 2 + 4, std::to_string(i + 1) + ". " + svg::shorten(s.name, kNameChars),
           Anchor::kEnd);
}

Plot sites_bytes(const ReportData& d) {
    const std::string title = "Top call sites by estimated bytes allocated";
    const double bottom = kTop + double(d.top.size()) * kRow;
    Canvas c(kWidth, bottom + 40, title);
    heading(c, title + " (" + std::to_string(d.top.size()) + " of " + std::to_string(d.site_count) + ")",
            "estimated from the telemetry's samples; hover over a bar for the site's full name");
    uint64_t most = 1;
    for (const SiteRow& s : d.top) most = std::max(most, s.bytes);
    // Ticks at round numbers of the unit the largest bar is counted in.
    double unit = 1;
    while (double(most) / unit >= 1024 && unit < 0x1p40) unit *= 1024;
    std::vector<double> ticks = svg::linear_ticks(0, double(most) / unit, 5);
    const double x0 = kLabelWidth, x1 = kWidth - 110;
    Scale x{0, std::max(double(most), ticks.back() * unit), x0, x1};
    for (double t : ticks) {
        double at = x.at(t * unit);
        c.line(at, kTop - 4, at, bottom, kGrid);
        c.text(at, bottom + 16, bytes(uint64_t(t * unit)), Anchor::kMiddle, 11);
    }
    for (size_t i = 0; i < d.top.size(); ++i) {
        const SiteRow& s = d.top[i];
        double y = kTop + double(i) * kRow, end = x.at(double(s.bytes));
        c.rect(x0, y + 4, std::max(end - x0, 1.0), kRow - 8, svg::colour(0),
               s.name + ": " + bytes(s.bytes) + " in " + count(s.allocs) + " allocations");
        c.text(end + 6, y + kRow / 2 + 4, bytes(s.bytes), Anchor::kStart, 11);
        site_label(c, i, s, y);
    }
    c.line(x0, kTop - 4, x0, bottom, kInk);
    return Plot{"sites_bytes.svg", title, c.element()};
}

struct Quantiles {
    bool known = false;
    double p50 = 0, p95 = 0, p99 = 0;
};

struct QuantileChart {
    const char* file;
    const char* title;
    const char* what;      // "sizes", "lifetimes"
    const char* unknown;   // the row's text when the site has no quantiles
    double base;           // of the log axis's ticks
    Quantiles (*of)(const SiteRow&);
    std::string (*label)(double);
};

Plot quantile_chart(const ReportData& d, const QuantileChart& q) {
    const double bottom = kTop + double(d.top.size()) * kRow;
    Canvas c(kWidth, bottom + 40, q.title);
    heading(c, q.title, std::string("box: p50 to p95 of the sampled blocks' ") + q.what +
                            "; line: on to p99; logarithmic scale");
    double lo = INFINITY, hi = 0;
    for (const SiteRow& s : d.top) {
        Quantiles v = q.of(s);
        if (!v.known) continue;
        lo = std::min(lo, std::max(v.p50, 1.0));
        hi = std::max(hi, std::max(v.p99, 1.0));
    }
    const double x0 = kLabelWidth, x1 = kWidth - 30;
    bool any = hi > 0;
    Scale x{1, q.base, x0, x1, true};
    if (any) {
        // Whole powers of the base at both ends, at least one apart.
        x.lo = std::pow(q.base, std::floor(std::log(lo) / std::log(q.base) + 1e-9));
        x.hi = std::pow(q.base, std::ceil(std::log(hi) / std::log(q.base) - 1e-9));
        if (x.hi <= x.lo) x.hi = x.lo * q.base;
        for (double t : svg::log_ticks(x.lo, x.hi, q.base, 10)) {
            c.line(x.at(t), kTop - 4, x.at(t), bottom, kGrid);
            c.text(x.at(t), bottom + 16, q.label(t), Anchor::kMiddle, 11);
        }
    }
    for (size_t i = 0; i < d.top.size(); ++i) {
        const SiteRow& s = d.top[i];
        double y = kTop + double(i) * kRow, mid = y + kRow / 2;
        site_label(c, i, s, y);
        Quantiles v = q.of(s);
        if (!v.known) {
            c.text(x0 + 8, mid + 4, q.unknown, Anchor::kStart, 11, false, "#777");
            continue;
        }
        double a = x.at(std::max(v.p50, 1.0)), b = x.at(std::max(v.p95, 1.0)), e = x.at(std::max(v.p99, 1.0));
        std::string tip = s.name + ": p50 " + q.label(v.p50) + ", p95 " + q.label(v.p95) + ", p99 " + q.label(v.p99);
        c.line(b, mid, e, mid, kInk, 1.2);
        c.line(e, y + 7, e, y + kRow - 7, kInk, 1.2);
        c.rect(a, y + 5, std::max(b - a, 2.0), kRow - 10, svg::colour(0), tip);
        c.line(a, y + 3, a, y + kRow - 3, kInk, 2, false, tip);
    }
    c.line(x0, kTop - 4, x0, bottom, kInk);
    return Plot{q.file, q.title, c.element()};
}

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", s);
    return buf;
}

std::string plain(double v) {
    char buf[32];
    // Whole numbers from 1000 up (no exponent on an axis), else 3 digits.
    std::snprintf(buf, sizeof buf, std::fabs(v) >= 1000 ? "%.0f" : "%.3g", v);
    return buf;
}

std::string bytes_label(double v) { return bytes(uint64_t(std::max(v, 0.0))); }

// One cost part over time.
struct Panel {
    const char* title;
    double LearnerEpoch::*field;
    bool needs_active;  // cpu and faults mean nothing in an idle epoch
    std::string (*label)(double);
};

Plot learner_cost(const LearnerRun& run) {
    const std::vector<LearnerEpoch>& h = run.history;
    const bool elo = run.elo();
    const std::string title = std::string("Learner (") + run.mode + "): cost per epoch and the strategy that ran";
    const Panel panels[] = {
        {"CPU time per allocation (ns)", &LearnerEpoch::cpu_ns, true, plain},
        {"page faults and allocator system calls per allocation", &LearnerEpoch::faults, true, plain},
        {"memory held beyond the live bytes", &LearnerEpoch::overhead_bytes, false, bytes_label},
    };
    constexpr double kPanel = 120, kGap = 36, kStrip = 18;
    const double strip_top = kTop + 16, first_panel = strip_top + kStrip + 34;
    const double panels_bottom = first_panel + 3 * kPanel + 2 * kGap;
    // The legend: the candidates the history shows, then the two marks.
    std::vector<unsigned> shown;
    for (unsigned k = 0; k < run.candidates.size(); ++k) {
        bool ran = k == run.champion;
        for (const LearnerEpoch& e : h) ran = ran || e.candidate == k;
        if (ran) shown.push_back(k);
    }
    const double legend_top = panels_bottom + 52;
    Canvas c(kWidth, legend_top + double(shown.size() + 2) * 18 + 16, title);
    heading(c, title,
            std::to_string(h.size()) + " epochs" + (h.size() < run.epochs ? " (the last in the file)" : "") +
                "; background: the candidate that ran; values above a panel's top are drawn on it (triangles)");

    const double e = run.epoch_ms > 0 ? run.epoch_ms / 1000 : 0.1;
    const double x0 = 90, x1 = kWidth - 24;
    Scale x{h.front().t_s - e, std::max(h.back().t_s, h.front().t_s), x0, x1};
    auto start_of = [&](size_t i) { return i > 0 ? h[i - 1].t_s : h[0].t_s - e; };

    // The strategy that ran: one block per run of epochs on one candidate,
    // solid in the strip, faint behind the panels.
    c.text(x0 - 8, strip_top + 13, "strategy", Anchor::kEnd, 11);
    for (size_t a = 0, b = 0; a < h.size(); a = b) {
        while (b < h.size() && h[b].candidate == h[a].candidate) ++b;
        unsigned k = h[a].candidate;
        double left = x.at(start_of(a)), right = x.at(h[b - 1].t_s);
        char tip[160];
        std::snprintf(tip, sizeof tip, "#%u ran epochs %llu-%llu: ", k, static_cast<unsigned long long>(h[a].number),
                      static_cast<unsigned long long>(h[b - 1].number));
        c.rect(left, strip_top, right - left, kStrip, svg::colour(k), tip + run.describe(k));
        for (int p = 0; p < 3; ++p)
            c.rect(left, first_panel + p * (kPanel + kGap), right - left, kPanel, svg::colour(k), "", 0.16);
    }

    for (int p = 0; p < 3; ++p) {
        const Panel& panel = panels[p];
        const double top = first_panel + p * (kPanel + kGap), bottom = top + kPanel;
        c.text(x0, top - 8, panel.title, Anchor::kStart, 12, true);
        std::vector<double> values;
        for (const LearnerEpoch& ep : h)
            if (ep.active || !panel.needs_active) values.push_back(ep.*panel.field);
        double most = values.empty() ? 0 : *std::max_element(values.begin(), values.end());
        double ceiling = most;
        if (!values.empty()) {
            // One startup spike should not flatten the rest: above three
            // times the 90th percentile, values sit on the top edge.
            std::vector<double> sorted = values;
            std::sort(sorted.begin(), sorted.end());
            double p90 = sorted[sorted.size() * 9 / 10];
            if (p90 > 0 && most > 3 * p90) ceiling = 3 * p90;
        }
        if (ceiling <= 0) ceiling = 1;
        Scale y{0, ceiling, bottom, top};
        for (double t : svg::linear_ticks(0, ceiling, 3)) {
            c.line(x0, y.at(t), x1, y.at(t), kGrid);
            c.text(x0 - 8, y.at(t) + 4, panel.label(t), Anchor::kEnd, 11);
        }
        c.line(x0, bottom, x1, bottom, kInk);
        c.line(x0, top, x0, bottom, kInk);
        if (values.empty()) {
            c.text((x0 + x1) / 2, top + kPanel / 2, "no epoch with enough allocations to measure this", Anchor::kMiddle,
                   11, false, "#777");
            continue;
        }
        // A line through the epochs that have a value; an idle epoch breaks it.
        std::vector<std::pair<double, double>> segment;
        auto flush = [&] {
            if (segment.size() == 1) c.rect(segment[0].first - 1.5, segment[0].second - 1.5, 3, 3, kInk);
            c.polyline(segment, kInk, 1.3);
            segment.clear();
        };
        for (size_t i = 0; i < h.size(); ++i) {
            if (panel.needs_active && !h[i].active) {
                flush();
                continue;
            }
            double v = h[i].*panel.field, at = x.at((start_of(i) + h[i].t_s) / 2);
            segment.emplace_back(at, y.at(std::min(v, ceiling)));
            if (v > ceiling)
                c.marker(at, top, "#c00", "epoch " + std::to_string(h[i].number) + ": " + panel.label(v));
        }
        flush();
    }

    // Marks across the strip and the panels.
    const char* leader = elo ? "champion" : "leader";
    for (size_t i = 0; i < h.size(); ++i) {
        double at = x.at(h[i].t_s);
        std::string epoch = "epoch " + std::to_string(h[i].number);
        if (h[i].phase_change)
            c.line(at, strip_top, at, panels_bottom, "#666", 1, true, epoch + ": phase change");
        if (i > 0 && h[i].champion != h[i - 1].champion) {
            c.line(at, strip_top - 4, at, panels_bottom, kInk, 1.5, false,
                   epoch + ": " + LearnerRun::name(h[i].champion) + " is " + leader);
            c.text(at, strip_top - 6, LearnerRun::name(h[i].champion), Anchor::kMiddle, 10, true);
        }
    }

    for (double t : svg::linear_ticks(std::max(0.0, x.lo), x.hi, 8)) {
        c.line(x.at(t), panels_bottom, x.at(t), panels_bottom + 4, kInk);
        c.text(x.at(t), panels_bottom + 16, seconds(t), Anchor::kMiddle, 11);
    }
    c.text((x0 + x1) / 2, panels_bottom + 34, "time after the first epoch in the file ended", Anchor::kMiddle, 11);

    double ly = legend_top;
    for (unsigned k : shown) {
        c.rect(x0, ly - 10, 12, 12, svg::colour(k));
        c.text(x0 + 18, ly, LearnerRun::name(k) + "  " + run.describe(k) +
                                (k == run.champion ? std::string("  (") + leader + " at exit)" : ""));
        ly += 18;
    }
    if (elo) {
        // The tournament culls and refills slots; UCB1's arms stay.
        c.text(x0, ly, "(strategies as at exit: a slot culled during the run held others before)", Anchor::kStart,
               11, false, "#555");
        ly += 18;
    }
    c.line(x0, ly - 4, x0 + 12, ly - 4, "#666", 1, true);
    c.text(x0 + 18, ly, "phase change", Anchor::kStart, 11);
    c.line(x0 + 130, ly - 4, x0 + 142, ly - 4, kInk, 1.5);
    c.text(x0 + 148, ly, std::string("new ") + leader, Anchor::kStart, 11);
    return Plot{"learner_cost.svg", title, c.element()};
}

}  // namespace

std::vector<Plot> report_plots(const ReportData& d) {
    std::vector<Plot> plots;
    if (!d.top.empty()) {
        plots.push_back(sites_bytes(d));
        plots.push_back(quantile_chart(
            d, {"site_sizes.svg", "Block sizes per call site", "sizes", "", 2,
                [](const SiteRow& s) { return Quantiles{true, double(s.size_p50), double(s.size_p95), double(s.size_p99)}; },
                bytes_label}));
        plots.push_back(quantile_chart(
            d, {"site_lifetimes.svg", "Block lifetimes per call site", "lifetimes",
                "no freed sample: its sampled blocks were all live at exit", 10,
                [](const SiteRow& s) {
                    return Quantiles{s.freed_samples > 0, double(s.life_p50_ns), double(s.life_p95_ns),
                                     double(s.life_p99_ns)};
                },
                duration_ns}));
    }
    if (d.has_learner && !d.learner.history.empty()) plots.push_back(learner_cost(d.learner));
    return plots;
}

}  // namespace hakmem_tool
