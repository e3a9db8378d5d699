// The nothrow operator new's retry loop: calls the installed new_handler and
// retries, returning nullptr when there is no handler or when the handler
// throws. The only code in hakmem built with exceptions.
#pragma once
#include <cstddef>

namespace hakmem {
void* new_retry_nothrow(size_t size, size_t alignment) noexcept;
}
