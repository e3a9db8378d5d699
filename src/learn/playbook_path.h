// Where a program's playbook lives (playbook_default_path, learn/playbook.h)
// and what identifies the program: its executable's path and GNU build id,
// read from the ELF file's notes, so a rebuilt program (new build id) starts
// a new playbook while the same binary run again finds its old one.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hakmem::learn {

// The GNU build id of the ELF file open at `fd` (NT_GNU_BUILD_ID in a
// PT_NOTE segment), into out (`cap` bytes), its length in *len. False when
// the file is not a native-endian ELF file or has no build id. Reads with
// pread through fixed buffers.
bool elf_build_id(int fd, uint8_t* out, size_t cap, size_t* len);

// 64 bits identifying the running executable: a hash of its path
// (/proc/self/exe) and its build id, or its size and mtime when it has
// none. The exe's base name, made safe for a file name, into base (`n`
// bytes). False when /proc/self/exe cannot be read.
bool exe_identity(uint64_t* hash, char* base, size_t n);

}  // namespace hakmem::learn
