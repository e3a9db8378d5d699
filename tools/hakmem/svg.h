// SVG drawing for `hakmem report --svg/--html`: a canvas that collects
// shapes and text as SVG elements, the scales and ticks of a chart's axes,
// and a palette. Plain strings, no library: the charts are bars, boxes and
// lines, and a file written here opens in any browser.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace hakmem_tool::svg {

// Text for SVG or HTML: & < > " ' escaped; control characters and bytes
// that are not UTF-8 become '?', so the document stays well-formed XML
// whatever a stats file names.
std::string escape(const std::string& s);
// At most `max_chars` characters (UTF-8 aware), "..." marking a cut.
std::string shorten(const std::string& s, size_t max_chars);

enum class Anchor { kStart, kMiddle, kEnd };

class Canvas {
public:
    // `title` becomes the image's <title> (its accessible name and the
    // tooltip of its background).
    Canvas(double width, double height, const std::string& title);

    // `tooltip` (optional) is the shape's <title>: what a browser shows on hover.
    void rect(double x, double y, double w, double h, const std::string& fill, const std::string& tooltip = "",
              double opacity = 1);
    void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1,
              bool dashed = false, const std::string& tooltip = "");
    // Points joined in order; fewer than two draw nothing.
    void polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke, double width = 1.5);
    void marker(double x, double y, const std::string& fill, const std::string& tooltip = "");  // a small triangle
    void text(double x, double y, const std::string& s, Anchor anchor = Anchor::kStart, double size = 12,
              bool bold = false, const std::string& fill = "#222");

    double width() const { return width_; }
    double height() const { return height_; }
    // The <svg> element (no XML declaration: the HTML page inlines it).
    std::string element() const;

private:
    double width_, height_;
    std::string title_, body_;
};

// A number as an SVG coordinate: one decimal, none when whole.
std::string coord(double v);

// Maps [lo, hi] onto [from, to], linearly or by log (lo > 0 then).
struct Scale {
    double lo, hi, from, to;
    bool log = false;
    double at(double v) const;
};

// About `count` round values (1, 2 or 5 x 10^k apart) covering [lo, hi].
std::vector<double> linear_ticks(double lo, double hi, int count);
// The powers of `base` in [lo, hi], every n-th so that at most `max` remain.
std::vector<double> log_ticks(double lo, double hi, double base, int max);

// Distinct colours for categories (candidates); the 17th repeats the first.
const char* colour(unsigned i);

}  // namespace hakmem_tool::svg
