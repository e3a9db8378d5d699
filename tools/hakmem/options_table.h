// The library's options, as generated from its one table at build time
// (options_gen.cpp): name, kind, default, meaning.
#pragma once
#include <cstddef>
#include <span>
#include <string_view>

namespace hakmem_tool {

struct OptionRow {
    const char* name;
    const char* kind;
    const char* default_value;
    const char* doc;
};

std::span<const OptionRow> option_rows();
// The row named `name` ("HAKMEM_VERBOSE"), or nullptr.
const OptionRow* find_option(std::string_view name);
// The option whose name is closest to `name` (edit distance).
const OptionRow& closest_option(std::string_view name);

}  // namespace hakmem_tool
