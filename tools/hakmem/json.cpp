#include "json.h"

#include <cstdlib>
#include <cstring>

namespace hakmem_tool {
namespace {

class Parser {
public:
    explicit Parser(const std::string& text) : s_(text) {}

    bool document(Json* out) {
        if (!value(out, 0)) return false;
        skip_space();
        if (pos_ != s_.size()) return fail("trailing text after the JSON value");
        return true;
    }
    std::string error() const { return error_ + " at byte " + std::to_string(pos_); }

private:
    static constexpr int kMaxDepth = 64;

    bool fail(const char* what) {
        if (error_.empty()) error_ = what;
        return false;
    }
    void skip_space() {
        while (pos_ < s_.size() && std::strchr(" \t\r\n", s_[pos_]) != nullptr && s_[pos_] != 0) ++pos_;
    }
    bool literal(const char* word) {
        size_t n = std::strlen(word);
        if (s_.compare(pos_, n, word) != 0) return fail("unexpected character");
        pos_ += n;
        return true;
    }
    bool value(Json* out, int depth) {
        if (depth > kMaxDepth) return fail("nesting too deep");
        skip_space();
        if (pos_ >= s_.size()) return fail("unexpected end of text");
        char c = s_[pos_];
        if (c == '{') return object(out, depth);
        if (c == '[') return array(out, depth);
        if (c == '"') {
            out->type = Json::Type::kString;
            return string(&out->string);
        }
        if (c == 't' || c == 'f') {
            out->type = Json::Type::kBool;
            out->boolean = c == 't';
            return literal(c == 't' ? "true" : "false");
        }
        if (c == 'n') return literal("null");
        if (c == '-' || (c >= '0' && c <= '9')) return number(out);
        return fail("unexpected character");
    }
    bool number(Json* out) {
        size_t start = pos_;
        if (s_[pos_] == '-') ++pos_;
        while (pos_ < s_.size() && std::strchr("0123456789.eE+-", s_[pos_]) != nullptr && s_[pos_] != 0) ++pos_;
        std::string text = s_.substr(start, pos_ - start);
        char* end = nullptr;
        out->type = Json::Type::kNumber;
        out->number = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != 0) return fail("malformed number");
        if (text.find_first_of("-.eE") == std::string::npos) out->integer = std::strtoull(text.c_str(), nullptr, 10);
        else if (out->number >= 0) out->integer = static_cast<uint64_t>(out->number);
        return true;
    }
    bool string(std::string* out) {
        ++pos_;  // the opening quote
        while (pos_ < s_.size()) {
            char c = s_[pos_++];
            if (c == '"') return true;
            if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
            if (c != '\\') {
                out->push_back(c);
                continue;
            }
            if (pos_ >= s_.size()) break;
            char e = s_[pos_++];
            switch (e) {
                case '"': case '\\': case '/': out->push_back(e); break;
                case 'b': out->push_back('\b'); break;
                case 'f': out->push_back('\f'); break;
                case 'n': out->push_back('\n'); break;
                case 'r': out->push_back('\r'); break;
                case 't': out->push_back('\t'); break;
                case 'u': {
                    if (pos_ + 4 > s_.size()) return fail("short \\u escape");
                    unsigned code = static_cast<unsigned>(std::strtoul(s_.substr(pos_, 4).c_str(), nullptr, 16));
                    pos_ += 4;
                    // UTF-8 of the code unit (surrogate pairs are not needed
                    // for hakmem's files, which escape control bytes only).
                    if (code < 0x80) {
                        out->push_back(static_cast<char>(code));
                    } else if (code < 0x800) {
                        out->push_back(static_cast<char>(0xc0 | (code >> 6)));
                        out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
                    } else {
                        out->push_back(static_cast<char>(0xe0 | (code >> 12)));
                        out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
                        out->push_back(static_cast<char>(0x80 | (code & 0x3f)));
                    }
                    break;
                }
                default: return fail("unknown escape in a string");
            }
        }
        return fail("unterminated string");
    }
    bool array(Json* out, int depth) {
        out->type = Json::Type::kArray;
        ++pos_;
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
        for (;;) {
            out->array.emplace_back();
            if (!value(&out->array.back(), depth + 1)) return false;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
            if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
            return fail("expected ',' or ']'");
        }
    }
    bool object(Json* out, int depth) {
        out->type = Json::Type::kObject;
        ++pos_;
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
        for (;;) {
            skip_space();
            if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a member name");
            std::string key;
            if (!string(&key)) return false;
            skip_space();
            if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
            ++pos_;
            if (!value(&out->object[key], depth + 1)) return false;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
            if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
            return fail("expected ',' or '}'");
        }
    }

    const std::string& s_;
    size_t pos_ = 0;
    std::string error_;
};

}  // namespace

const Json* Json::get(const std::string& key) const {
    if (type != Type::kObject) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &it->second;
}

uint64_t Json::u64(const std::string& key, uint64_t fallback) const {
    const Json* v = get(key);
    return v != nullptr && v->type == Type::kNumber ? v->integer : fallback;
}

std::string Json::str(const std::string& key, const std::string& fallback) const {
    const Json* v = get(key);
    return v != nullptr && v->type == Type::kString ? v->string : fallback;
}

bool parse_json(const std::string& text, Json* out, std::string* error) {
    Parser p(text);
    if (p.document(out)) return true;
    *error = p.error();
    return false;
}

}  // namespace hakmem_tool
