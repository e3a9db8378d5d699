// The playbook's file format: versioned text, one entry per line.
//
//   hakmem-playbook 1
//   # <a comment saying what the fields are>
//   entry sig=0x1.8p+3,0x0p+0,-0x1.4p-2,0x1p+0 rating=0x1.77p+10 wins=3 losses=1 draws=0
//         helpful=2 harmful=0 last_seen=1764690000 purge_delay_ms=250 segment_cache_max=8
//         purge_mode=dontneed ...                                   (all on one line)
//   end 1
//
// - The header names the format and its major version. Another first line
//   is a foreign file; a larger version a newer file this build cannot read.
//   A change older readers would misread (a new meaning, a wider range, a
//   different signature) bumps the version.
// - Entries are `key=value` pairs. The strategy's fields are written by name,
//   from the one field list (policy/strategy_fields.h), enums by their
//   names. Unknown keys are ignored, so later versions can add fields; a
//   strategy field a line lacks takes its default. `sig` and `rating` are
//   required.
// - Doubles are hexadecimal floats (C99 `%a` form), formatted and parsed
//   here bit for bit: they round-trip exactly, and no libc floating-point
//   formatting runs (it may allocate; os/os_print.h). A hand edit may write
//   a plain decimal (`rating=1500`, `0.25`), read approximately.
// - `end <n>` closes the file with its entry count: a file cut at a line
//   boundary is recognised as truncated, not read as a shorter playbook.
// - Blank lines and lines starting with `#` are ignored. Lines are at most
//   kPlaybookMaxLine bytes, the file at most kPlaybookMaxFileBytes; beyond
//   that it is not one of ours.
#pragma once
#include <cstddef>
#include <cstdint>

#include "learn/playbook.h"

namespace hakmem::learn {

constexpr unsigned kPlaybookVersion = 1;
constexpr size_t kPlaybookMaxLine = 4096;
constexpr size_t kPlaybookMaxFileBytes = size_t{1} << 20;

// `v` as a hexadecimal float ("-0x1.8p+3", "0x0p+0"), NUL-terminated, into
// buf (n bytes; 32 always suffice). Returns its length, 0 when it does not
// fit or v is not finite.
size_t playbook_format_double(double v, char* buf, size_t n);
// Parses exactly the `len` bytes at s: a hexadecimal float in the form
// playbook_format_double writes, or a plain decimal `[-]digits[.digits]`.
bool playbook_parse_double(const char* s, size_t len, double* out);

// Entry `e` as one line, '\n' included and NUL-terminated, into buf (n
// bytes). Returns its length, 0 when it does not fit.
size_t playbook_format_entry(const PlaybookEntry& e, char* buf, size_t n);
// Parses one entry line (`len` bytes, no newline). False when malformed: not
// an entry, a bad value, a strategy field out of its range, `sig` or
// `rating` missing.
bool playbook_parse_entry(const char* line, size_t len, PlaybookEntry* out);

enum class ReadStatus {
    kOk,
    kIoError,    // read(2) failed: nothing is known about the file
    kForeign,    // the first line is not a playbook header
    kNewer,      // a playbook of a later major version
    kMalformed,  // a line that does not parse
    kTruncated,  // no `end` line, or an end line whose count is wrong
    kTooLarge,   // more than kPlaybookMaxFileBytes
};
struct ReadResult {
    ReadStatus status;
    unsigned line;     // the offending line (kMalformed)
    unsigned version;  // the header's major version (kNewer)
    size_t entries;    // entries passed to the sink
};
using EntrySink = void (*)(const PlaybookEntry& e, void* ctx);
// The buffers of one read, kept by the caller (static storage: too large
// for the background thread's small stack).
struct PlaybookReader {
    char chunk[4096];
    char line[kPlaybookMaxLine];
};
// Reads a whole playbook from `fd`, passing each entry to sink as it is
// parsed. Entries given before an error is found are the caller's to
// discard.
ReadResult playbook_read(int fd, PlaybookReader& r, EntrySink sink, void* ctx);
// Why a read failed, in words, into buf ("truncated (no end line)").
void playbook_describe(const ReadResult& r, char* buf, size_t n);

// Writes a complete playbook (header, entries, end line) to `fd`. True when
// every byte was written.
bool playbook_write(int fd, const PlaybookEntry* entries, size_t n);

}  // namespace hakmem::learn
