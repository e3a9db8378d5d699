// The playbook's text format (learn/playbook_file.h): doubles that
// round-trip bit for bit, entries written by field name, and lines that
// are read leniently where later versions may add things (unknown keys,
// missing strategy fields) and strictly everywhere else.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "learn/playbook_file.h"
#include "playbook_test_support.h"

namespace {

using hakmem::learn::PlaybookEntry;
using hakmem::learn::playbook_format_double;
using hakmem::learn::playbook_format_entry;
using hakmem::learn::playbook_parse_double;
using hakmem::learn::playbook_parse_entry;

std::string Format(double v) {
    char buf[32];
    size_t n = playbook_format_double(v, buf, sizeof buf);
    return std::string(buf, n);
}

bool Parse(const std::string& s, double* out) { return playbook_parse_double(s.data(), s.size(), out); }

uint64_t Bits(double v) {
    uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

TEST(PlaybookDoubles, EveryKindOfFiniteDoubleRoundTripsBitForBit) {
    const double cases[] = {0.0,     -0.0,       1.0,     -1.0,         1500.0,  0.1,          1.0 / 3.0,
                            1e-300,  1e300,      DBL_MAX, -DBL_MAX,     DBL_MIN, DBL_TRUE_MIN, DBL_MIN / 3,
                            -DBL_TRUE_MIN, 12345.678901234567, 2.5e-17};
    for (double v : cases) {
        std::string text = Format(v);
        double back = 42;
        ASSERT_TRUE(Parse(text, &back)) << text;
        EXPECT_EQ(Bits(back), Bits(v)) << text;
    }
    std::mt19937_64 rng(hakt::TestSeed("PlaybookDoubles"));
    for (int i = 0; i < 100000; ++i) {
        uint64_t bits = rng();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (!std::isfinite(v)) continue;
        double back;
        ASSERT_TRUE(Parse(Format(v), &back)) << Format(v);
        ASSERT_EQ(Bits(back), bits) << Format(v);
    }
}

TEST(PlaybookDoubles, AreWrittenInTheC99HexFloatFormThatStrtodReads) {
    EXPECT_EQ(Format(1500.0), "0x1.77p+10");
    EXPECT_EQ(Format(0.0), "0x0p+0");
    EXPECT_EQ(Format(-0.75), "-0x1.8p-1");
    for (double v : {1500.0, -0.75, 1.0 / 3.0, DBL_TRUE_MIN, DBL_MAX})
        EXPECT_EQ(Bits(std::strtod(Format(v).c_str(), nullptr)), Bits(v)) << Format(v);
}

TEST(PlaybookDoubles, NonFiniteValuesAreNotWritten) {
    char buf[32];
    EXPECT_EQ(playbook_format_double(std::numeric_limits<double>::infinity(), buf, sizeof buf), 0u);
    EXPECT_EQ(playbook_format_double(std::numeric_limits<double>::quiet_NaN(), buf, sizeof buf), 0u);
    EXPECT_EQ(playbook_format_double(1.0, buf, 4), 0u) << "does not fit";
}

TEST(PlaybookDoubles, PlainDecimalsFromAHandEditAreRead) {
    double v;
    ASSERT_TRUE(Parse("1500", &v));
    EXPECT_EQ(v, 1500.0);
    ASSERT_TRUE(Parse("-0.25", &v));
    EXPECT_EQ(v, -0.25);
    ASSERT_TRUE(Parse("3.5", &v));
    EXPECT_EQ(v, 3.5);
}

TEST(PlaybookDoubles, MalformedTextIsRefused) {
    double v;
    for (const char* bad : {"", "-", "x", "0x", "0x2p+0", "0x1.p+0", "0x1.8", "0x1.8p", "0x1.8p+", "0x1p+1024",
                            "0x1p-1023", "0x1.00000000000001p+0", "0x0.8p+0", "1e5", "1.2.3", "inf", "nan",
                            "0x1p+0 ", " 0x1p+0", "1,5"})
        EXPECT_FALSE(Parse(bad, &v)) << '"' << bad << '"';
}

std::string Line(const PlaybookEntry& e) {
    char buf[hakmem::learn::kPlaybookMaxLine];
    size_t n = playbook_format_entry(e, buf, sizeof buf);
    return std::string(buf, n);
}

bool ParseLine(std::string line, PlaybookEntry* out) {
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return playbook_parse_entry(line.data(), line.size(), out);
}

TEST(PlaybookEntryLine, EveryFieldRoundTrips) {
    for (unsigned seed : {0u, 1u, 7u, 999u}) {
        PlaybookEntry e = hakt::MakeEntry(seed), back{};
        ASSERT_TRUE(ParseLine(Line(e), &back)) << Line(e);
        EXPECT_TRUE(hakt::SameFields(e, back)) << Line(e);
    }
    PlaybookEntry extreme = hakt::MakeEntry(3), back{};
    extreme.wins = extreme.losses = extreme.draws = extreme.helpful = extreme.harmful = UINT32_MAX;
    extreme.last_seen = UINT64_MAX;
    extreme.rating = -DBL_MAX;
    extreme.signature.v[0] = DBL_TRUE_MIN;
    extreme.strategy.large_cache_max = hakmem::kStrategyTiB;
    ASSERT_TRUE(ParseLine(Line(extreme), &back)) << Line(extreme);
    EXPECT_TRUE(hakt::SameFields(extreme, back)) << Line(extreme);
}

TEST(PlaybookEntryLine, NamesEveryStrategyFieldAndWritesEnumsByName) {
    PlaybookEntry e = hakt::MakeEntry(2);  // purge_mode 1 = free, huge_pages 2 = large
    std::string line = Line(e);
#define HAKMEM_EXPECT_KEY(type, name, ...) EXPECT_NE(line.find(" " #name "="), std::string::npos) << #name;
    HAKMEM_STRATEGY_FIELDS(HAKMEM_EXPECT_KEY)
#undef HAKMEM_EXPECT_KEY
    EXPECT_NE(line.find(" purge_mode=free"), std::string::npos) << line;
    EXPECT_NE(line.find(" huge_pages=large"), std::string::npos) << line;
    EXPECT_EQ(line.rfind("entry ", 0), 0u) << line;
    EXPECT_EQ(line.back(), '\n');
}

TEST(PlaybookEntryLine, UnknownKeysAreIgnoredAndMissingStrategyFieldsTakeTheirDefaults) {
    PlaybookEntry e{};
    ASSERT_TRUE(ParseLine("entry sig=0x1p+0,0x0p+0,2,-3.5 rating=1500 wins=2 future_knob=17 purge_delay_ms=5", &e));
    hakmem::StrategyValues expected = hakmem::strategy_defaults();
    expected.purge_delay_ms = 5;
    EXPECT_TRUE(e.strategy == expected);
    EXPECT_EQ(e.signature.v[3], -3.5);
    EXPECT_EQ(e.rating, 1500.0);
    EXPECT_EQ(e.wins, 2u);
    EXPECT_EQ(e.losses, 0u);
    EXPECT_EQ(e.last_seen, 0u);
}

TEST(PlaybookEntryLine, BadLinesAreRefused) {
    PlaybookEntry e{};
    const std::string sig = "sig=0x1p+0,0x1p+0,0x1p+0,0x1p+0";
    const std::string bad_lines[] = {
             std::string("entry rating=1500"),                                     // no signature
             "entry " + sig,                                                       // no rating
             "entry sig=0x1p+0,0x1p+0,0x1p+0 rating=1",                            // too few dimensions
             "entry sig=0x1p+0,0x1p+0,0x1p+0,0x1p+0,0x1p+0 rating=1",              // too many
             "entry sig=0x1p+0,,0x1p+0,0x1p+0 rating=1",                           // an empty one
             "entry " + sig + " rating=1 wins=-1",                                 // negative count
             "entry " + sig + " rating=1 wins=4294967296",                         // beyond 32 bits
             "entry " + sig + " rating=1 purge_mode=sometimes",                    // not an enum name
             "entry " + sig + " rating=1 purge_delay_ms=3600001",                  // out of range
             "entry " + sig + " rating=1 huge_pages=3",                            // out of range
             "entry " + sig + " rating=1 wins",                                    // no value
             "entry " + sig + " rating=1 =5",                                      // no key
             "entries " + sig + " rating=1",                                       // not an entry
             "Entry " + sig + " rating=1",
    };
    for (const std::string& bad : bad_lines)
        EXPECT_FALSE(ParseLine(bad, &e)) << bad;
}

}  // namespace
