// `hakmem report --html FILE`: one page that needs nothing beside it (no
// script, no stylesheet, no image file): the text report as preformatted
// text, then every plot as inline SVG. Written as well-formed XML too, so
// tools that read XHTML read it.
#include "report.h"
#include "svg.h"

namespace hakmem_tool {

std::string report_html(const ReportData& d, const std::string& text, const std::vector<Plot>& plots) {
    std::string title = svg::escape("hakmem report: " + d.file);
    std::string out =
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        "<title>" + title + "</title>\n"
        "<style>body{font-family:sans-serif;margin:1.5em auto;max-width:1100px;color:#222}"
        "pre{font-size:12px;overflow-x:auto;background:#f7f7f7;padding:1em}"
        "figure{margin:1.5em 0}svg{max-width:100%;height:auto}</style>\n</head>\n<body>\n"
        "<h1>" + title + "</h1>\n<h2>Report</h2>\n<pre>" + svg::escape(text) + "</pre>\n";
    if (!plots.empty()) out += "<h2>Plots</h2>\n";
    for (const Plot& p : plots)
        out += "<figure id=\"" + p.file.substr(0, p.file.rfind('.')) + "\">\n" + p.svg + "<figcaption>" +
               svg::escape(p.title) + "</figcaption>\n</figure>\n";
    if (plots.empty()) out += "<p>No plots: the file has no call sites and no learner history.</p>\n";
    return out + "</body>\n</html>\n";
}

}  // namespace hakmem_tool
