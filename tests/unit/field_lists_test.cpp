// Every field of hak_stats_t and hak_strategy_t reaches the C ABI (honouring
// struct_size) and the JSON report, with the value the struct API gives.
// Driven by the same field lists the library is generated from
// (src/stats/stats_fields.h, src/policy/strategy_fields.h), so a field added
// to a list is tested without touching this file, and the library's
// static_asserts keep the lists equal to the public structs.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "hakmem_test_support.h"
#include "policy/strategy_fields.h"
#include "stats/stats_fields.h"

namespace {

struct Field {
    const char* name;
    size_t offset;
    size_t size;
    int64_t min, max, default_value;  // strategy fields only
};

const std::vector<Field> kStatsFields = {
#define HAKMEM_STATS_ROW(name, ...) {#name, offsetof(hak_stats_t, name), sizeof(uint64_t), 0, 0, 0},
    HAKMEM_STATS_FIELDS(HAKMEM_STATS_ROW)
#undef HAKMEM_STATS_ROW
};

const std::vector<Field> kStrategyFields = {
#define HAKMEM_STRATEGY_ROW(type, name, option, env_name, kind, def, min, max, ...) \
    {#name, offsetof(hak_strategy_t, name), sizeof(type), min, max, def},
    HAKMEM_STRATEGY_FIELDS(HAKMEM_STRATEGY_ROW)
#undef HAKMEM_STRATEGY_ROW
};

uint64_t Get(const void* s, const Field& f) {
    uint64_t v = 0;
    std::memcpy(&v, static_cast<const char*>(s) + f.offset, f.size);  // little-endian
    return v;
}
void Set(void* s, const Field& f, uint64_t v) { std::memcpy(static_cast<char*>(s) + f.offset, &v, f.size); }

// The members of one top-level object of the report: `"name": {"a": 1, ...}`.
// Returns false when the object is missing; a name seen twice is kept twice.
bool ReadObject(const std::string& json, const std::string& name, std::multimap<std::string, std::string>* out) {
    size_t at = json.find("\"" + name + "\": {");
    if (at == std::string::npos) return false;
    size_t begin = json.find('{', at) + 1, end = json.find('}', begin);
    std::stringstream members(json.substr(begin, end - begin));
    std::string member;
    while (std::getline(members, member, ',')) {
        size_t q1 = member.find('"'), q2 = member.find('"', q1 + 1), colon = member.find(':', q2);
        if (q1 == std::string::npos || q2 == std::string::npos || colon == std::string::npos) continue;
        std::string value = member.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        out->emplace(member.substr(q1 + 1, q2 - q1 - 1), value);
    }
    return true;
}

std::string WriteJson() {
    char path[] = "/tmp/hakmem_field_lists_XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    close(fd);
    EXPECT_EQ(hak_write_stats_json(path), HAK_OK);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    unlink(path);
    return text.str();
}

// Every listed field once, as a number, and nothing else.
void ExpectExactly(const std::multimap<std::string, std::string>& object, const std::vector<Field>& fields,
                   const char* what) {
    for (const Field& f : fields) {
        EXPECT_EQ(object.count(f.name), 1u) << what << "." << f.name << " missing or repeated in the JSON";
        auto it = object.find(f.name);
        if (it != object.end()) {
            EXPECT_EQ(it->second.find_first_not_of("0123456789"), std::string::npos)
                << what << "." << f.name << " is not a number: " << it->second;
        }
    }
    EXPECT_EQ(object.size(), fields.size()) << what << " holds members that are not in its field list";
}

class FieldLists : public ::testing::Test {
protected:
    void SetUp() override {
        std::memset(&original_, 0, sizeof original_);
        original_.struct_size = sizeof original_;
        ASSERT_EQ(hak_get_strategy(&original_), HAK_OK);
    }
    void TearDown() override { EXPECT_EQ(hak_set_strategy(&original_), HAK_OK); }
    hak_strategy_t original_;
};

TEST_F(FieldLists, EveryStrategyFieldRoundTripsThroughSetGetAndTheJson) {
    // A value for each field other than its default, inside its range: the
    // purge thread off and delays long, so nothing changes behind the test.
    hak_strategy_t want;
    std::memset(&want, 0, sizeof want);
    want.struct_size = sizeof want;
    for (const Field& f : kStrategyFields)
        Set(&want, f, uint64_t(f.default_value != f.max ? f.max : f.min));
    ASSERT_EQ(hak_set_strategy(&want), HAK_OK);

    hak_strategy_t got;
    std::memset(&got, 0xAB, sizeof got);
    got.struct_size = sizeof got;
    ASSERT_EQ(hak_get_strategy(&got), HAK_OK);
    for (const Field& f : kStrategyFields) EXPECT_EQ(Get(&got, f), Get(&want, f)) << f.name;

    std::multimap<std::string, std::string> json;
    std::string text = WriteJson();
    ASSERT_TRUE(ReadObject(text, "strategy", &json)) << text;
    ExpectExactly(json, kStrategyFields, "strategy");
    for (const Field& f : kStrategyFields) {
        auto it = json.find(f.name);
        if (it != json.end()) {
            EXPECT_EQ(std::stoull(it->second), Get(&want, f)) << f.name;
        }
    }
}

TEST_F(FieldLists, EveryStatsFieldIsInTheJsonWithTheValueGetStatsGives) {
    // Quiet: no purge thread, nothing due, and this thread only reads.
    hak_strategy_t quiet = original_;
    quiet.purge_thread = 0;
    quiet.purge_delay_ms = 3600 * 1000;
    ASSERT_EQ(hak_set_strategy(&quiet), HAK_OK);

    char path[] = "/tmp/hakmem_field_lists_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    hak_stats_t before, after;
    ASSERT_TRUE(hakt::ReadStats(&before));
    ASSERT_EQ(hak_write_stats_json(path), HAK_OK);
    ASSERT_TRUE(hakt::ReadStats(&after));
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    unlink(path);

    std::multimap<std::string, std::string> json;
    ASSERT_TRUE(ReadObject(text.str(), "stats", &json)) << text.str();
    ExpectExactly(json, kStatsFields, "stats");
    // The report was taken between the two reads: each value lies between
    // them (counters only grow, and nothing else runs to move the gauges back).
    for (const Field& f : kStatsFields) {
        auto it = json.find(f.name);
        if (it == json.end()) continue;
        uint64_t v = std::stoull(it->second), a = Get(&before, f), b = Get(&after, f);
        EXPECT_LE(std::min(a, b), v) << f.name << " (get_stats " << a << " then " << b << ")";
        EXPECT_GE(std::max(a, b), v) << f.name << " (get_stats " << a << " then " << b << ")";
    }
}

// For each field: a struct that ends just before it leaves it alone, one
// that ends just after it gets it, and nothing past struct_size is written.
template <class Struct, class GetFn>
void ExpectStructSizeHonoured(const std::vector<Field>& fields, GetFn get) {
    constexpr unsigned char kGuard = 0xAB;
    for (const Field& f : fields) {
        for (size_t size : {f.offset, f.offset + f.size}) {
            alignas(Struct) unsigned char buf[sizeof(Struct) + 16];
            std::memset(buf, kGuard, sizeof buf);
            std::memcpy(buf, &size, sizeof size);
            ASSERT_EQ(get(reinterpret_cast<Struct*>(buf)), HAK_OK) << f.name;
            size_t reported;
            std::memcpy(&reported, buf, sizeof reported);
            EXPECT_EQ(reported, size) << "struct_size changed";
            for (size_t i = size; i < sizeof buf; ++i)
                ASSERT_EQ(buf[i], kGuard) << "byte " << i << " past struct_size " << size << " (" << f.name << ")";
            if (size == f.offset + f.size) {
                uint64_t guard_value = 0;
                std::memset(&guard_value, kGuard, f.size);
                EXPECT_NE(Get(buf, f), guard_value) << f.name << " not written with struct_size " << size;
            }
        }
    }
}

TEST_F(FieldLists, GetStatsAndGetStrategyFillEachFieldExactlyAsFarAsStructSizeReaches) {
    ExpectStructSizeHonoured<hak_stats_t>(kStatsFields, hak_get_stats);
    ExpectStructSizeHonoured<hak_strategy_t>(kStrategyFields, hak_get_strategy);
}

}  // namespace
