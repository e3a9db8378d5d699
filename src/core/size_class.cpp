#include "core/size_class.h"

namespace hakmem {
// Built at compile time; lives in .rodata.
constinit const SizeClassTables g_size_classes{};
}  // namespace hakmem
