// Where and when a benchmark ran: printed with every table, because ratios
// from a 2-core shared VM and a quiet 64-core box are different stories.
#pragma once

#include "report.h"

namespace hakbench {

// Fills date, host, kernel, CPU count and the transparent huge page mode.
void describe_machine(Meta& meta);

// "YYYYmmdd-HHMMSS" in local time, for result directory names.
std::string timestamp_for_path();

}  // namespace hakbench
