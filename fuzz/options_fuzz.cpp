// libFuzzer harness for the HAKMEM_* option parser (policy/options.cpp).
//
// The input is an environment block: lines "NAME=value" separated by '\n'
// (fuzz/options.dict holds the names and typical values). It goes through
// options_parse_env, the code options_init runs on environ, and every line
// also through option_parse for each option. Checks:
//   - no crash, no read outside the block (ASan);
//   - every value lies within its option's range, and a string option is
//     0 or 1 with its text pointing into the block (HAKMEM_SHOW_STATS: its
//     text when the value is a path, one containing '/');
//   - each option's value is what option_parse gives for the first line
//     that names it (the lookup rule of getenv), or the default when that
//     line is malformed or absent;
//   - option_parse leaves its output alone when it rejects a value.
// The parser's warnings go to stderr; run with -close_fd_mask=2 to hide them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "policy/options.h"

namespace {

using hakmem::Option;
constexpr int kCount = static_cast<int>(Option::kCount);

// Each option's variable, to find its first line by hand.
const char* name_of(int opt) { return hakmem::option_name(static_cast<Option>(opt)); }
// The option's kind, from the one options table (option_describe), so an
// option added later is checked by what it is, not by a list kept here.
bool kind_is(int opt, const char* kind) {
    hakmem::OptionText text;
    hakmem::option_describe(static_cast<Option>(opt), &text);
    return strcmp(text.kind, kind) == 0;
}
// The string options: their text is kept, pointing into the block.
bool is_string_option(int opt) { return kind_is(opt, "string"); }
// A bool, or a path when the value contains '/'.
bool is_bool_or_path_option(int opt) { return kind_is(opt, "bool or path"); }

[[noreturn]] void fail(const char* what, int opt, long long value) {
    fprintf(stderr, "options_fuzz: %s: option %s, value %lld\n", what, name_of(opt), value);
    abort();
}

void check_range(int opt, int64_t v, const char* what) {
    int64_t min, max;
    hakmem::option_range(static_cast<Option>(opt), &min, &max);
    if (v < min || v > max) fail(what, opt, v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Split into NUL-terminated lines; a NUL byte in the input ends its line early.
    std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<const char*> envp;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\n') {
            if (i < text.size()) text[i] = '\0';
            envp.push_back(text.c_str() + start);
            start = i + 1;
        }
    }
    envp.push_back(nullptr);

    int64_t defaults[kCount];
    const char* default_strings[kCount];
    const char* const empty[] = {nullptr};
    hakmem::options_parse_env(empty, defaults, default_strings);

    int64_t values[kCount];
    const char* strings[kCount];
    hakmem::options_parse_env(envp.data(), values, strings);

    for (int opt = 0; opt < kCount; ++opt) {
        check_range(opt, values[opt], "options_parse_env gave a value out of range");
        // The model: the first line "NAME=..." decides, through option_parse.
        size_t len = strlen(name_of(opt));
        const char* first = nullptr;
        for (size_t i = 0; envp[i] != nullptr && first == nullptr; ++i)
            if (strncmp(envp[i], name_of(opt), len) == 0 && envp[i][len] == '=') first = envp[i] + len + 1;
        int64_t expect = defaults[opt];
        if (first != nullptr) hakmem::option_parse(static_cast<Option>(opt), first, &expect);
        if (values[opt] != expect) fail("options_parse_env disagrees with option_parse on the first line", opt,
                                        values[opt]);
        if (is_string_option(opt)) {
            const char* want = first != nullptr && *first != '\0' ? first : nullptr;
            if (strings[opt] != want) fail("the string option does not point at its value", opt, values[opt]);
        } else if (is_bool_or_path_option(opt)) {
            const char* want = first != nullptr && values[opt] == 1 && strchr(first, '/') != nullptr ? first : nullptr;
            if (strings[opt] != want) fail("the bool-or-path option's path is not its value", opt, values[opt]);
        } else if (strings[opt] != nullptr) {
            fail("a number option has a string", opt, values[opt]);
        }
    }

    // Every line as a value of every option, and of no option at all.
    constexpr int64_t kUntouched = -0x5eed;
    for (size_t i = 0; envp[i] != nullptr; ++i) {
        for (int opt = 0; opt < kCount; ++opt) {
            int64_t v = kUntouched;
            if (hakmem::option_parse(static_cast<Option>(opt), envp[i], &v))
                check_range(opt, v, "option_parse accepted a value out of range");
            else if (v != kUntouched)
                fail("option_parse changed its output although it rejected the value", opt, v);
        }
    }
    return 0;
}
