#include "machine.h"

#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <fstream>

namespace hakbench {

void describe_machine(Meta& meta) {
  char buf[256];
  const time_t now = ::time(nullptr);
  tm utc{};
  ::gmtime_r(&now, &utc);
  ::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &utc);
  meta.date = buf;
  if (::gethostname(buf, sizeof buf) == 0) {
    buf[sizeof buf - 1] = '\0';
    meta.host = buf;
  }
  utsname u{};
  if (::uname(&u) == 0) meta.kernel = u.release;
  meta.cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  // "always [madvise] never": the bracketed word is the active mode.
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (std::getline(thp, line)) {
    const size_t open = line.find('['), close = line.find(']');
    meta.thp = open != std::string::npos && close > open ? line.substr(open + 1, close - open - 1) : line;
  } else {
    meta.thp = "unknown";
  }
}

std::string timestamp_for_path() {
  char buf[32];
  const time_t now = ::time(nullptr);
  tm local{};
  ::localtime_r(&now, &local);
  ::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &local);
  return buf;
}

}  // namespace hakbench
