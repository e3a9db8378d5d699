// The JSON report's writer: FileWriter (telemetry/file_writer.h, a fixed
// buffer and write(2), never malloc) with JSON's strings and objects.
#pragma once
#include <cstdint>

#include "telemetry/file_writer.h"

namespace hakmem {

class JsonFile : public FileWriter {
public:
    explicit JsonFile(int fd) : FileWriter(fd) {}
    void string(const char* s) {
        raw("\"");
        for (; *s; ++s) {
            unsigned char c = static_cast<unsigned char>(*s);
            if (c == '"' || c == '\\') {
                char esc[2] = {'\\', static_cast<char>(c)};
                put(esc, 2);
            } else if (c < 0x20) {
                format("\\u%04x", c);
            } else {
                put(s, 1);
            }
        }
        raw("\"");
    }
    void field(const char* name, uint64_t v, bool last = false) {
        format("\"%s\": %llu%s", name, static_cast<unsigned long long>(v), last ? "" : ", ");
    }
    // One object of counters, members separated by commas:
    // object_begin("stats"); member(...)...; object_end();
    void object_begin(const char* name) {
        format("  \"%s\": {", name);
        first_ = true;
    }
    void member(const char* name, uint64_t v) {
        format("%s\"%s\": %llu", first_ ? "" : ", ", name, static_cast<unsigned long long>(v));
        first_ = false;
    }
    void object_end() { raw("},\n"); }

private:
    bool first_ = true;
};

}  // namespace hakmem
