// A small JSON reader for `hakmem report`: enough for the files hakmem
// writes (HAKMEM_STATS_JSON), strict about syntax so that a file of another
// kind is rejected with the place where reading stopped.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hakmem_tool {

struct Json {
    enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
    bool boolean = false;
    double number = 0;
    uint64_t integer = 0;  // the number, when it is a non-negative integer
    std::string string;
    std::vector<Json> array;
    std::map<std::string, Json> object;

    // The member `key` of an object, or nullptr (also when not an object).
    const Json* get(const std::string& key) const;
    // The member `key` as an unsigned integer, or `fallback`.
    uint64_t u64(const std::string& key, uint64_t fallback = 0) const;
    // The member `key` as a string, or `fallback`.
    std::string str(const std::string& key, const std::string& fallback = "") const;
};

// Parses `text`. On a syntax error returns false and describes it in `error`.
bool parse_json(const std::string& text, Json* out, std::string* error);

}  // namespace hakmem_tool
