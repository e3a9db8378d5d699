// Helpers for core tests that follow a heap's pages: a page by address, and
// a thread of its own (a heap with no pages yet) to run a test body on.
#pragma once
#include <thread>

#include "core/segment.h"
#include "hakmem/hakmem.h"

namespace hakt {

inline hakmem::Page* PageOf(void* p) { return hakmem::page_of(hakmem::segment_of(p), p); }

template <class F>
void OnFreshThread(F&& fn) {
    std::thread t([&] {
        hak_free(hak_malloc(1));  // the heap (a first allocation may be sampled)
        fn();
    });
    t.join();
}

}  // namespace hakt
