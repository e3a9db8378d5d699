#include "policy/unknown_options.h"

#include <cstring>

#include "os/os_print.h"

namespace hakmem {
namespace {

constexpr char kPrefix[] = "HAKMEM_";
constexpr size_t kPrefixLength = sizeof kPrefix - 1;
// Prefixes of variables hakmem's own test and benchmark programs read.
constexpr const char* kReservedPrefixes[] = {"HAKMEM_TEST_", "HAKMEM_BENCH_"};

size_t name_length(const char* entry) {
    const char* eq = strchr(entry, '=');
    return eq != nullptr ? static_cast<size_t>(eq - entry) : strlen(entry);
}

bool is_option(const char* name, size_t len) {
    for (int i = 0; i < static_cast<int>(Option::kCount); ++i) {
        const char* known = option_name(static_cast<Option>(i));
        if (strlen(known) == len && memcmp(known, name, len) == 0) return true;
    }
    return false;
}

bool is_reserved(const char* name, size_t len) {
    for (const char* p : kReservedPrefixes) {
        size_t n = strlen(p);
        if (len >= n && memcmp(name, p, n) == 0) return true;
    }
    return false;
}

// True when an earlier entry of `envp` has the same name: warn only once.
bool seen_before(const char* const* envp, const char* const* at, const char* name, size_t len) {
    for (; envp != at; ++envp)
        if (name_length(*envp) == len && memcmp(*envp, name, len) == 0) return true;
    return false;
}

// The name as it may be printed: the environment is the user's, so control
// bytes (a terminal escape) become '?', and a long name is cut.
void printable_name(const char* name, size_t len, char* out, size_t n) {
    size_t shown = len < n - 4 ? len : n - 4;
    size_t i = 0;
    for (; i < shown; ++i) {
        unsigned char c = static_cast<unsigned char>(name[i]);
        out[i] = c < 0x20 || c >= 0x7f ? '?' : static_cast<char>(c);
    }
    if (shown < len) out[i++] = '.', out[i++] = '.', out[i++] = '.';
    out[i] = 0;
}

}  // namespace

int option_name_distance(const char* a, size_t a_len, const char* b) {
    size_t b_len = strlen(b);
    if (a_len > kMaxOptionNameLength) a_len = kMaxOptionNameLength;
    if (b_len > kMaxOptionNameLength) b_len = kMaxOptionNameLength;
    // One row of the dynamic-programming table: row[j] = distance between
    // the prefix of a seen so far and the first j bytes of b.
    int row[kMaxOptionNameLength + 1];
    for (size_t j = 0; j <= b_len; ++j) row[j] = static_cast<int>(j);
    for (size_t i = 1; i <= a_len; ++i) {
        int diagonal = row[0];
        row[0] = static_cast<int>(i);
        for (size_t j = 1; j <= b_len; ++j) {
            int substitute = diagonal + (a[i - 1] != b[j - 1]);
            diagonal = row[j];
            int best = substitute;
            if (row[j] + 1 < best) best = row[j] + 1;          // delete from a
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;  // insert into a
            row[j] = best;
        }
    }
    return row[b_len];
}

Option option_closest(const char* name, size_t len) {
    Option best = static_cast<Option>(0);
    int best_distance = -1;
    for (int i = 0; i < static_cast<int>(Option::kCount); ++i) {
        int d = option_name_distance(name, len, option_name(static_cast<Option>(i)));
        if (best_distance < 0 || d < best_distance) best = static_cast<Option>(i), best_distance = d;
    }
    return best;
}

int options_warn_unknown(const char* const* envp) {
    if (envp == nullptr) return 0;
    int warnings = 0;
    for (const char* const* e = envp; *e != nullptr; ++e) {
        const char* name = *e;
        if (strncmp(name, kPrefix, kPrefixLength) != 0) continue;
        size_t len = name_length(name);
        if (is_option(name, len) || is_reserved(name, len) || seen_before(envp, e, name, len)) continue;
        char shown[kMaxOptionNameLength + 2];
        printable_name(name, len, shown, sizeof shown);
        os::print_line("warning: %s is not a hakmem option (ignored); closest: %s", shown,
                       option_name(option_closest(name, len)));
        ++warnings;
    }
    return warnings;
}

}  // namespace hakmem
