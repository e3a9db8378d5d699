// The text report: the summary of the process's counters, the strategy in
// force at exit, the top call sites with their size and lifetime quantiles,
// and the learner when it ran.
#include <set>

#include "report.h"

namespace hakmem_tool {
namespace {

void summary(const Json& stats, std::string* out) {
    auto u = [&](const char* key) { return stats.u64(key); };
    appendf(out, "Summary\n");
    appendf(out, "  allocations     %s (%s frees)\n", count(u("allocs")).c_str(), count(u("frees")).c_str());
    appendf(out, "  live at exit    %s (peak %s)\n", bytes(u("bytes_current")).c_str(), bytes(u("bytes_peak")).c_str());
    appendf(out, "  large blocks    %s (cache: %s hits, %s misses)\n", count(u("large_allocs")).c_str(),
            count(u("large_cache_hits")).c_str(), count(u("large_cache_misses")).c_str());
    appendf(out, "  mapped          %s (%s mmap, %s munmap calls); %s purged (%s madvise calls)\n",
            bytes(u("bytes_mapped")).c_str(), count(u("mmap_calls")).c_str(), count(u("munmap_calls")).c_str(),
            bytes(u("bytes_purged")).c_str(), count(u("madvise_calls")).c_str());
    appendf(out, "  resident        %s RSS; page faults %s minor, %s major\n", bytes(u("rss_bytes")).c_str(),
            count(u("page_faults_minor")).c_str(), count(u("page_faults_major")).c_str());
    appendf(out, "  threads         %s active; purge thread %s (%s wakeups)\n", count(u("threads_active")).c_str(),
            u("purge_thread_running") ? "running" : "not started", count(u("purge_thread_wakeups")).c_str());
}

void strategy(const Json& s, std::string* out) {
    std::string line;
    for (const auto& [name, value] : s.object)
        if (value.type == Json::Type::kNumber) line += " " + name + "=" + std::to_string(value.integer);
    appendf(out, "\nStrategy at exit:%s\n", line.c_str());
}

std::string lifetime(uint64_t ns, uint64_t freed_samples) {
    return freed_samples == 0 ? "-" : duration_ns(double(ns));
}

void sites(const ReportData& d, std::string* out) {
    const Json* telemetry = d.root->get("telemetry");
    const Json* stats = d.root->get("stats");
    bool enabled = telemetry != nullptr && telemetry->get("enabled") != nullptr && telemetry->get("enabled")->boolean;
    bool adaptive = telemetry != nullptr && telemetry->get("adaptive") != nullptr && telemetry->get("adaptive")->boolean;
    appendf(out, "\nTelemetry: %s", enabled ? "on" : "off");
    if (enabled && stats != nullptr)
        appendf(out, ", %s samples (1 per %s allocated%s)", count(stats->u64("telemetry_samples")).c_str(),
                bytes(stats->u64("telemetry_sample_bytes")).c_str(), adaptive ? " or less often, adaptive" : "");
    appendf(out, ", %zu sites\n", d.site_count);
    if (d.top.empty()) return;
    appendf(out, "\nTop %zu call sites by estimated bytes allocated (sizes and lifetimes: quantiles of the samples)\n",
            d.top.size());
    appendf(out, "%4s %9s %7s %9s %9s %9s %8s %8s %8s %9s %9s  %s\n", "#", "bytes", "allocs", "size p50", "p95", "p99",
            "life p50", "p95", "p99", "live", "peak", "site");
    for (size_t i = 0; i < d.top.size(); ++i) {
        const SiteRow& s = d.top[i];
        appendf(out, "%4zu %9s %7s %9s %9s %9s %8s %8s %8s %9s %9s  %s\n", i + 1, bytes(s.bytes).c_str(),
                count(s.allocs).c_str(), bytes(s.size_p50).c_str(), bytes(s.size_p95).c_str(), bytes(s.size_p99).c_str(),
                lifetime(s.life_p50_ns, s.freed_samples).c_str(), lifetime(s.life_p95_ns, s.freed_samples).c_str(),
                lifetime(s.life_p99_ns, s.freed_samples).c_str(), bytes(s.live_bytes).c_str(),
                bytes(s.peak_live_bytes).c_str(), s.name.c_str());
    }
    if (d.top.size() < d.site_count) appendf(out, "  ... %zu more sites (--top N)\n", d.site_count - d.top.size());
}

}  // namespace

std::string report_text(const ReportData& d) {
    const Json& root = *d.root;
    std::string out;
    appendf(&out, "hakmem report: %s (pid %llu, hakmem ABI %s)\n\n", d.file.c_str(),
            static_cast<unsigned long long>(root.u64("pid")), root.str("hakmem_abi").c_str());
    summary(*root.get("stats"), &out);
    if (const Json* s = root.get("strategy")) strategy(*s, &out);
    sites(d, &out);
    if (d.has_learner) learner_text(d.learner, &out);
    // Objects a newer library adds are named, not silently dropped.
    static const std::set<std::string> kKnown = {"hakmem_abi", "pid",   "stats", "strategy",
                                                 "telemetry",  "sites", "learner"};
    for (const auto& [name, value] : root.object)
        if (kKnown.count(name) == 0) appendf(&out, "\nAlso in the file (not summarised by this version): %s\n", name.c_str());
    return out;
}

}  // namespace hakmem_tool
