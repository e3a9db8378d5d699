#include "options_table.h"

#include <algorithm>
#include <vector>

namespace hakmem_tool {
namespace {

constexpr OptionRow kRows[] = {
#include "hakmem_options.inc"
};

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = row[j];
            row[j] = next;
        }
    }
    return row[b.size()];
}

}  // namespace

std::span<const OptionRow> option_rows() { return kRows; }

const OptionRow* find_option(std::string_view name) {
    for (const OptionRow& r : kRows)
        if (name == r.name) return &r;
    return nullptr;
}

const OptionRow& closest_option(std::string_view name) {
    return *std::min_element(std::begin(kRows), std::end(kRows), [&](const OptionRow& a, const OptionRow& b) {
        return edit_distance(name, a.name) < edit_distance(name, b.name);
    });
}

}  // namespace hakmem_tool
