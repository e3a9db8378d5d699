#include "learn/playbook_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "policy/strategy_fields.h"
#include "telemetry/file_writer.h"

namespace hakmem::learn {
namespace {

constexpr char kMagic[] = "hakmem-playbook";
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr uint64_t kFractionMask = (uint64_t{1} << 52) - 1;

// ---- small text helpers (no locale, no allocation) --------------------------

// Appends text to a line being built; `ok` turns false once it overflows.
struct LineBuf {
    char* p;
    size_t n, len = 0;
    bool ok = true;
    void put(const char* s, size_t k) {
        if (!ok || len + k >= n) {
            ok = false;
            return;
        }
        memcpy(p + len, s, k);
        len += k;
        p[len] = 0;
    }
    void put(const char* s) { put(s, strlen(s)); }
    void put_u64(uint64_t v) {
        char tmp[24];
        int k = snprintf(tmp, sizeof tmp, "%llu", static_cast<unsigned long long>(v));
        put(tmp, static_cast<size_t>(k));
    }
    void put_double(double v) {
        char tmp[32];
        size_t k = playbook_format_double(v, tmp, sizeof tmp);
        if (k == 0) ok = false;
        else put(tmp, k);
    }
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool parse_u64(const char* s, size_t len, uint64_t max, uint64_t* out) {
    if (len == 0 || len > 20) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        uint64_t d = static_cast<uint64_t>(s[i] - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool parse_u32(const char* s, size_t len, uint32_t* out) {
    uint64_t v;
    if (!parse_u64(s, len, UINT32_MAX, &v)) return false;
    *out = static_cast<uint32_t>(v);
    return true;
}

bool equals(const char* s, size_t len, const char* word) { return strlen(word) == len && memcmp(s, word, len) == 0; }

// A strategy field's value: its enum name, or digits within [min, max].
bool parse_field(const char* s, size_t len, const char* const* names, int64_t min, int64_t max, uint64_t* out) {
    uint64_t v = 0;
    bool ok = false;
    if (names != nullptr) {
        for (int i = 0; names[i] != nullptr && !ok; ++i)
            if (equals(s, len, names[i])) v = static_cast<uint64_t>(i), ok = true;
    }
    if (!ok) ok = parse_u64(s, len, UINT64_MAX, &v);
    if (!ok || v < static_cast<uint64_t>(min) || v > static_cast<uint64_t>(max)) return false;
    *out = v;
    return true;
}

void put_field(LineBuf& b, const char* key, uint64_t v, const char* const* names) {
    b.put(" ");
    b.put(key);
    b.put("=");
    // An enum by name, when the value has one (a value the list does not
    // name would not parse back as a name; digits do).
    if (names != nullptr) {
        for (uint64_t i = 0; names[i] != nullptr; ++i)
            if (i == v) return b.put(names[i]);
    }
    b.put_u64(v);
}

// Plain decimal for hand edits: [-]digits[.digits], not correctly rounded.
bool parse_decimal(const char* s, size_t len, double* out) {
    size_t i = 0;
    bool neg = i < len && s[i] == '-';
    if (neg) ++i;
    double v = 0;
    size_t digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) v = v * 10 + (s[i] - '0');
    if (i < len && s[i] == '.') {
        ++i;
        double scale = 0.1;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i, ++digits, scale /= 10) v += (s[i] - '0') * scale;
    }
    if (i != len || digits == 0 || digits > 30) return false;
    *out = neg ? -v : v;
    return true;
}

}  // namespace

// ---- doubles ----------------------------------------------------------------

size_t playbook_format_double(double v, char* buf, size_t n) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    unsigned biased = static_cast<unsigned>(bits >> 52) & 0x7ff;
    uint64_t frac = bits & kFractionMask;
    if (biased == 0x7ff) return 0;  // inf or nan: not a value we keep
    char tmp[32];
    size_t k = 0;
    if (bits >> 63) tmp[k++] = '-';
    tmp[k++] = '0';
    tmp[k++] = 'x';
    // Normal numbers are 1.f * 2^e; subnormals 0.f * 2^-1022; zero 0x0p+0.
    int exp = biased == 0 ? (frac != 0 ? -1022 : 0) : static_cast<int>(biased) - 1023;
    tmp[k++] = biased == 0 ? '0' : '1';
    if (frac != 0) {
        int nibbles = 13;
        while ((frac & 0xf) == 0) frac >>= 4, --nibbles;
        tmp[k++] = '.';
        for (int i = nibbles - 1; i >= 0; --i) tmp[k++] = kHexDigits[(frac >> (4 * i)) & 0xf];
    }
    tmp[k++] = 'p';
    tmp[k++] = exp < 0 ? '-' : '+';
    unsigned a = static_cast<unsigned>(exp < 0 ? -exp : exp);
    char digits[8];
    int d = 0;
    do digits[d++] = static_cast<char>('0' + a % 10), a /= 10;
    while (a != 0);
    while (d > 0) tmp[k++] = digits[--d];
    if (k + 1 > n) return 0;
    memcpy(buf, tmp, k);
    buf[k] = 0;
    return k;
}

bool playbook_parse_double(const char* s, size_t len, double* out) {
    size_t i = 0;
    bool neg = i < len && s[i] == '-';
    if (neg) ++i;
    if (!(i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))) return parse_decimal(s, len, out);
    i += 2;
    if (i >= len || (s[i] != '0' && s[i] != '1')) return false;
    bool normal = s[i++] == '1';
    uint64_t frac = 0;
    int nibbles = 0;
    if (i < len && s[i] == '.') {
        ++i;
        for (; i < len && hex_value(s[i]) >= 0; ++i) {
            if (++nibbles > 13) return false;  // more bits than a double holds
            frac = frac << 4 | static_cast<uint64_t>(hex_value(s[i]));
        }
        if (nibbles == 0) return false;
        frac <<= 4 * (13 - nibbles);
    }
    if (i >= len || (s[i] != 'p' && s[i] != 'P')) return false;
    ++i;
    bool neg_exp = i < len && s[i] == '-';
    if (i < len && (s[i] == '-' || s[i] == '+')) ++i;
    uint64_t e;
    if (!parse_u64(s + i, len - i, 100000, &e)) return false;
    int exp = neg_exp ? -static_cast<int>(e) : static_cast<int>(e);
    uint64_t bits;
    if (normal) {
        if (exp < -1022 || exp > 1023) return false;
        bits = static_cast<uint64_t>(exp + 1023) << 52 | frac;
    } else if (frac == 0) {
        bits = 0;
    } else {
        if (exp != -1022) return false;  // subnormals only in the form written
        bits = frac;
    }
    if (neg) bits |= uint64_t{1} << 63;
    memcpy(out, &bits, sizeof bits);
    return true;
}

// ---- entries ----------------------------------------------------------------

size_t playbook_format_entry(const PlaybookEntry& e, char* buf, size_t n) {
    if (n == 0) return 0;
    LineBuf b{buf, n};
    b.put("entry sig=");
    for (unsigned d = 0; d < kSignatureDims; ++d) {
        if (d != 0) b.put(",");
        b.put_double(e.signature.v[d]);
    }
    b.put(" rating=");
    b.put_double(e.rating);
    const struct {
        const char* key;
        uint64_t v;
    } counters[] = {{"wins", e.wins},       {"losses", e.losses},   {"draws", e.draws},
                    {"helpful", e.helpful}, {"harmful", e.harmful}, {"last_seen", e.last_seen}};
    for (const auto& c : counters) {
        b.put(" ");
        b.put(c.key);
        b.put("=");
        b.put_u64(c.v);
    }
#define HAKMEM_PLAYBOOK_PUT(type, name, option, env_name, kind, def, min, max, names, doc) \
    put_field(b, #name, static_cast<uint64_t>(e.strategy.name), names);
    HAKMEM_STRATEGY_FIELDS(HAKMEM_PLAYBOOK_PUT)
#undef HAKMEM_PLAYBOOK_PUT
    b.put("\n");
    return b.ok ? b.len : 0;
}

bool playbook_parse_entry(const char* line, size_t len, PlaybookEntry* out) {
    constexpr char kEntry[] = "entry";
    constexpr size_t kEntryLen = sizeof kEntry - 1;
    if (len < kEntryLen || memcmp(line, kEntry, kEntryLen) != 0) return false;
    if (len > kEntryLen && line[kEntryLen] != ' ') return false;
    PlaybookEntry e{};
    e.strategy = strategy_defaults();
    bool have_sig = false, have_rating = false;
    size_t i = kEntryLen;
    while (i < len) {
        if (line[i] == ' ' || line[i] == '\t') {
            ++i;
            continue;
        }
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t') ++i;
        const char* tok = line + start;
        size_t tok_len = i - start;
        const char* eq = static_cast<const char*>(memchr(tok, '=', tok_len));
        if (eq == nullptr || eq == tok) return false;
        size_t key_len = static_cast<size_t>(eq - tok);
        const char* val = eq + 1;
        size_t val_len = tok_len - key_len - 1;
        if (equals(tok, key_len, "sig")) {
            unsigned d = 0;
            size_t j = 0;
            while (true) {
                size_t k = j;
                while (k < val_len && val[k] != ',') ++k;
                if (d == kSignatureDims || !playbook_parse_double(val + j, k - j, &e.signature.v[d])) return false;
                ++d;
                if (k == val_len) break;
                j = k + 1;
            }
            if (d != kSignatureDims) return false;
            have_sig = true;
        } else if (equals(tok, key_len, "rating")) {
            if (!playbook_parse_double(val, val_len, &e.rating)) return false;
            have_rating = true;
        } else if (equals(tok, key_len, "wins")) {
            if (!parse_u32(val, val_len, &e.wins)) return false;
        } else if (equals(tok, key_len, "losses")) {
            if (!parse_u32(val, val_len, &e.losses)) return false;
        } else if (equals(tok, key_len, "draws")) {
            if (!parse_u32(val, val_len, &e.draws)) return false;
        } else if (equals(tok, key_len, "helpful")) {
            if (!parse_u32(val, val_len, &e.helpful)) return false;
        } else if (equals(tok, key_len, "harmful")) {
            if (!parse_u32(val, val_len, &e.harmful)) return false;
        } else if (equals(tok, key_len, "last_seen")) {
            if (!parse_u64(val, val_len, UINT64_MAX, &e.last_seen)) return false;
        }
#define HAKMEM_PLAYBOOK_GET(type, name, option, env_name, kind, def, min, max, names, doc) \
    else if (equals(tok, key_len, #name)) {                                                 \
        uint64_t v;                                                                         \
        if (!parse_field(val, val_len, names, min, max, &v)) return false;                  \
        e.strategy.name = static_cast<type>(v);                                             \
    }
        HAKMEM_STRATEGY_FIELDS(HAKMEM_PLAYBOOK_GET)
#undef HAKMEM_PLAYBOOK_GET
        // Any other key: a field of a later version; ignored.
    }
    if (!have_sig || !have_rating || !strategy_valid(e.strategy)) return false;
    *out = e;
    return true;
}

// ---- whole files ------------------------------------------------------------

namespace {

enum class LineKind { kHeader, kBody, kAfterEnd };

struct ReadState {
    ReadResult result{ReadStatus::kOk, 0, 0, 0};
    LineKind expect = LineKind::kHeader;
    EntrySink sink;
    void* ctx;
};

// Returns false when the read must stop (result says why).
bool take_line(ReadState& st, const char* s, size_t len) {
    ReadResult& r = st.result;
    ++r.line;
    if (st.expect == LineKind::kHeader) {
        constexpr size_t kMagicLen = sizeof kMagic - 1;
        if (len <= kMagicLen + 1 || memcmp(s, kMagic, kMagicLen) != 0 || s[kMagicLen] != ' ') {
            r.status = ReadStatus::kForeign;
            return false;
        }
        // "<major>" or "<major>.<minor>": minors only add what readers ignore.
        const char* v = s + kMagicLen + 1;
        size_t vlen = len - kMagicLen - 1;
        const char* dot = static_cast<const char*>(memchr(v, '.', vlen));
        size_t major_len = dot != nullptr ? static_cast<size_t>(dot - v) : vlen;
        uint64_t major, minor;
        if (!parse_u64(v, major_len, UINT32_MAX, &major) || major == 0 ||
            (dot != nullptr && !parse_u64(dot + 1, vlen - major_len - 1, UINT32_MAX, &minor))) {
            r.status = ReadStatus::kForeign;
            return false;
        }
        r.version = static_cast<unsigned>(major);
        if (major > kPlaybookVersion) {
            r.status = ReadStatus::kNewer;
            return false;
        }
        st.expect = LineKind::kBody;
        return true;
    }
    if (len == 0 || s[0] == '#') return true;
    if (st.expect == LineKind::kAfterEnd) {
        r.status = ReadStatus::kMalformed;
        return false;
    }
    if (len > 4 && memcmp(s, "end ", 4) == 0) {
        uint64_t count;
        if (!parse_u64(s + 4, len - 4, UINT64_MAX, &count)) {
            r.status = ReadStatus::kMalformed;
            return false;
        }
        if (count != r.entries) {
            r.status = ReadStatus::kTruncated;
            return false;
        }
        st.expect = LineKind::kAfterEnd;
        return true;
    }
    PlaybookEntry e;
    if (!playbook_parse_entry(s, len, &e)) {
        r.status = ReadStatus::kMalformed;
        return false;
    }
    ++r.entries;
    st.sink(e, st.ctx);
    return true;
}

}  // namespace

ReadResult playbook_read(int fd, PlaybookReader& rd, EntrySink sink, void* ctx) {
    ReadState st;
    st.sink = sink;
    st.ctx = ctx;
    size_t line_len = 0, total = 0;
    while (true) {
        ssize_t got = read(fd, rd.chunk, sizeof rd.chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            st.result.status = ReadStatus::kIoError;
            return st.result;
        }
        if (got == 0) break;
        total += static_cast<size_t>(got);
        if (total > kPlaybookMaxFileBytes) {
            st.result.status = ReadStatus::kTooLarge;
            return st.result;
        }
        for (ssize_t i = 0; i < got; ++i) {
            char c = rd.chunk[i];
            if (c == '\n') {
                if (!take_line(st, rd.line, line_len)) return st.result;
                line_len = 0;
            } else if (line_len == sizeof rd.line) {
                // Longer than any line we write: binary data, or not ours.
                ++st.result.line;
                st.result.status = st.expect == LineKind::kHeader ? ReadStatus::kForeign : ReadStatus::kMalformed;
                return st.result;
            } else {
                rd.line[line_len++] = c;
            }
        }
    }
    if (st.expect == LineKind::kHeader && total == 0) {
        st.result.status = ReadStatus::kTruncated;  // an empty file: the write never got its first byte out
    } else if (line_len != 0) {
        // A last line without its newline: cut off mid-write.
        st.result.status = st.expect == LineKind::kHeader ? ReadStatus::kForeign : ReadStatus::kTruncated;
    } else if (st.expect != LineKind::kAfterEnd) {
        st.result.status = ReadStatus::kTruncated;
    }
    return st.result;
}

void playbook_describe(const ReadResult& r, char* buf, size_t n) {
    switch (r.status) {
        case ReadStatus::kOk: snprintf(buf, n, "valid"); break;
        case ReadStatus::kIoError: snprintf(buf, n, "unreadable"); break;
        case ReadStatus::kForeign: snprintf(buf, n, "not a hakmem playbook"); break;
        case ReadStatus::kNewer:
            snprintf(buf, n, "version %u, newer than this hakmem's %u", r.version, kPlaybookVersion);
            break;
        case ReadStatus::kMalformed: snprintf(buf, n, "malformed at line %u", r.line); break;
        case ReadStatus::kTruncated: snprintf(buf, n, "truncated (no end line, or a wrong count)"); break;
        case ReadStatus::kTooLarge: snprintf(buf, n, "larger than %zu bytes", kPlaybookMaxFileBytes); break;
    }
}

bool playbook_write(int fd, const PlaybookEntry* entries, size_t n) {
    FileWriter out(fd);
    out.format("%s %u\n", kMagic, kPlaybookVersion);
    out.raw("# hakmem's learned strategies for one program (docs/ARCHITECTURE.md, Playbook).\n"
            "# entry: sig = workload signature; rating = ELO; wins/losses/draws = matches;\n"
            "# helpful/harmful = applied from the playbook, then won/lost against the default;\n"
            "# last_seen = unix seconds; then the strategy's fields. Doubles are hex floats.\n");
    char line[kPlaybookMaxLine];
    for (size_t i = 0; i < n; ++i) {
        size_t len = playbook_format_entry(entries[i], line, sizeof line);
        if (len == 0) return false;
        out.raw(line);
    }
    out.format("end %zu\n", n);
    return out.flush();
}

}  // namespace hakmem::learn
