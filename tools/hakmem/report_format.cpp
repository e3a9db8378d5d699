// Numbers as `hakmem report` prints them: binary units for bytes, k/M/G for
// counts, ns..s for times; three significant digits at most, since the
// sampled figures are estimates.
#include <cstdarg>
#include <cstdio>

#include "report.h"

namespace hakmem_tool {
namespace {

std::string scaled(double v, const char* const* units, double step) {
    int u = 0;
    while (v >= step && units[u + 1] != nullptr) v /= step, ++u;
    char buf[32];
    if (u == 0) std::snprintf(buf, sizeof buf, "%.0f%s%s", v, *units[0] ? " " : "", units[0]);
    else std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

}  // namespace

std::string bytes(uint64_t v) {
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", nullptr};
    return scaled(double(v), kUnits, 1024);
}

std::string count(uint64_t v) {
    static const char* const kUnits[] = {"", "k", "M", "G", "T", nullptr};
    if (v < 10000) return std::to_string(v);
    return scaled(double(v), kUnits, 1000);
}

std::string duration_ns(double ns) {
    static const char* const kUnits[] = {"ns", "us", "ms", "s", nullptr};
    return scaled(ns, kUnits, 1000);
}

void appendf(std::string* out, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char buf[512];
    int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (static_cast<size_t>(n) < sizeof buf) {
        out->append(buf, static_cast<size_t>(n));
        return;
    }
    // Longer than the buffer (a site's name with its source path): again, sized.
    std::string big(static_cast<size_t>(n) + 1, '\0');
    va_start(ap, fmt);
    std::vsnprintf(big.data(), big.size(), fmt, ap);
    va_end(ap);
    big.pop_back();
    out->append(big);
}

}  // namespace hakmem_tool
