#include "memstat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace hakbench {
namespace {

size_t field_kb(const char* text, const char* key) {
  const char* at = std::strstr(text, key);
  return at ? std::strtoull(at + std::strlen(key), nullptr, 10) : 0;
}

}  // namespace

MemStat read_memstat() {
  // A stack buffer and raw read(): fopen would call malloc.
  char buf[4096];
  MemStat m;
  const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return m;
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return m;
  buf[n] = '\0';
  m.rss_kb = field_kb(buf, "VmRSS:");
  m.hwm_kb = field_kb(buf, "VmHWM:");
  return m;
}

}  // namespace hakbench
