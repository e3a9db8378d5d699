// hakmem options: every HAKMEM_* variable with its kind, default and meaning,
// from the library's options table (generated at build time).
#include <algorithm>
#include <cstdio>
#include <string>

#include "commands.h"
#include "options_table.h"

namespace hakmem_tool {

int options_command(int argc, char** argv) {
    if (argc > 1) {
        error_line("options: unexpected argument %s", argv[1]);
        return kUsageError;
    }
    size_t name_width = 0, kind_width = 0, default_width = 0;
    for (const OptionRow& r : option_rows()) {
        name_width = std::max(name_width, std::string(r.name).size());
        kind_width = std::max(kind_width, std::string(r.kind).size());
        default_width = std::max(default_width, std::string(r.default_value).size());
    }
    std::printf("%-*s  %-*s  %-*s  %s\n", int(name_width), "VARIABLE", int(kind_width), "KIND", int(default_width),
                "DEFAULT", "MEANING");
    for (const OptionRow& r : option_rows())
        std::printf("%-*s  %-*s  %-*s  %s\n", int(name_width), r.name, int(kind_width), r.kind, int(default_width),
                    r.default_value, r.doc);
    std::printf("\nSet them in the environment, or with `hakmem run -o NAME=VALUE` (see hakmem(1)).\n");
    return 0;
}

}  // namespace hakmem_tool
