#include "svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hakmem_tool::svg {
namespace {

// The length of the UTF-8 sequence at s[i] if it is a valid character that
// XML allows, else 0.
size_t utf8_char(const std::string& s, size_t i) {
    auto byte = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
    unsigned c = byte(i);
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
    unsigned c1 = byte(i + 1);
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f)) return 0;  // overlong, > U+10FFFF
    if (c == 0xed && c1 > 0x9f) return 0;                                                             // a surrogate
    if (c == 0xef && c1 == 0xbf && byte(i + 2) >= 0xbe) return 0;                                     // U+FFFE, U+FFFF
    return n;
}

void attr_tooltip(std::string* body, const std::string& tooltip, const char* element) {
    if (tooltip.empty()) {
        *body += "/>\n";
        return;
    }
    *body += "><title>" + escape(tooltip) + "</title></" + element + ">\n";
}

}  // namespace

std::string escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            size_t n = utf8_char(s, i);
            if (n == 0) out += '?', ++i;
            else out.append(s, i, n), i += n;
            continue;
        }
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c < 0x20 && c != '\n' && c != '\t' ? '?' : static_cast<char>(c);
        }
        ++i;
    }
    return out;
}

std::string shorten(const std::string& s, size_t max_chars) {
    size_t chars = 0;
    for (unsigned char c : s) chars += (c & 0xc0) != 0x80;
    if (chars <= max_chars || max_chars < 4) return s;
    size_t keep = max_chars - 3, i = 0;
    for (size_t seen = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && seen++ == keep) break;
    }
    return s.substr(0, i) + "...";
}

std::string coord(double v) {
    if (!std::isfinite(v)) v = 0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    std::string s = buf;
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s == "-0" ? "0" : s;
}

Canvas::Canvas(double width, double height, const std::string& title)
    : width_(width), height_(height), title_(title) {}

void Canvas::rect(double x, double y, double w, double h, const std::string& fill, const std::string& tooltip,
                  double opacity) {
    body_ += "<rect x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" + coord(std::max(w, 0.0)) +
             "\" height=\"" + coord(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"";
    if (opacity < 1) {
        char buf[48];
        std::snprintf(buf, sizeof buf, " fill-opacity=\"%.2f\"", std::clamp(opacity, 0.0, 1.0));
        body_ += buf;
    }
    attr_tooltip(&body_, tooltip, "rect");
}

void Canvas::line(double x1, double y1, double x2, double y2, const std::string& stroke, double width, bool dashed,
                  const std::string& tooltip) {
    body_ += "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) + "\" y2=\"" + coord(y2) +
             "\" stroke=\"" + stroke + "\" stroke-width=\"" + coord(width) + "\"";
    if (dashed) body_ += " stroke-dasharray=\"4 3\"";
    attr_tooltip(&body_, tooltip, "line");
}

void Canvas::polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke, double width) {
    if (points.size() < 2) return;
    body_ += "<polyline fill=\"none\" stroke=\"" + stroke + "\" stroke-width=\"" + coord(width) + "\" points=\"";
    for (size_t i = 0; i < points.size(); ++i) {
        if (i > 0) body_ += ' ';
        body_ += coord(points[i].first);
        body_ += ',';
        body_ += coord(points[i].second);
    }
    body_ += "\"/>\n";
}

void Canvas::marker(double x, double y, const std::string& fill, const std::string& tooltip) {
    body_ += "<polygon points=\"" + coord(x - 4) + "," + coord(y + 6) + " " + coord(x + 4) + "," + coord(y + 6) + " " +
             coord(x) + "," + coord(y) + "\" fill=\"" + fill + "\"";
    attr_tooltip(&body_, tooltip, "polygon");
}

void Canvas::text(double x, double y, const std::string& s, Anchor anchor, double size, bool bold,
                  const std::string& fill) {
    body_ += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\"";
    if (anchor == Anchor::kMiddle) body_ += " text-anchor=\"middle\"";
    if (anchor == Anchor::kEnd) body_ += " text-anchor=\"end\"";
    if (size != 12) body_ += " font-size=\"" + coord(size) + "\"";
    if (bold) body_ += " font-weight=\"bold\"";
    if (fill != "#222") body_ += " fill=\"" + fill + "\"";
    body_ += '>';
    body_ += escape(s);
    body_ += "</text>\n";
}

std::string Canvas::element() const {
    std::string w = coord(width_), h = coord(height_);
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w +
           " " + h + "\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#222\" role=\"img\">\n<title>" +
           escape(title_) + "</title>\n<rect width=\"" + w + "\" height=\"" + h + "\" fill=\"white\"/>\n" + body_ +
           "</svg>\n";
}

double Scale::at(double v) const {
    if (hi == lo) return from;
    if (log) return from + (std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo)) * (to - from);
    return from + (v - lo) / (hi - lo) * (to - from);
}

std::vector<double> linear_ticks(double lo, double hi, int count) {
    if (!(hi > lo) || count < 1) return {lo};
    double raw = (hi - lo) / count;
    double magnitude = std::pow(10, std::floor(std::log10(raw)));
    double norm = raw / magnitude;
    double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
    return ticks;
}

std::vector<double> log_ticks(double lo, double hi, double base, int max) {
    int k0 = static_cast<int>(std::ceil(std::log(lo) / std::log(base) - 1e-9));
    int k1 = static_cast<int>(std::floor(std::log(hi) / std::log(base) + 1e-9));
    std::vector<double> ticks;
    if (k1 < k0 || max < 1) return ticks;
    int every = (k1 - k0) / max + 1;
    for (int k = k0; k <= k1; k += every) ticks.push_back(std::pow(base, k));
    return ticks;
}

const char* colour(unsigned i) {
    // Tableau 10, then six more of the same lightness.
    static const char* const kColours[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                                           "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b",
                                           "#17becf", "#bcbd22", "#7f7f7f", "#d62728"};
    return kColours[i % (sizeof kColours / sizeof kColours[0])];
}

}  // namespace hakmem_tool::svg
