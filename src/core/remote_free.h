// Frees from threads that do not own the page, and the owner's side of the
// full-page handshake (the protocol is described in remote_free.cpp).
#pragma once
#include "core/page.h"

namespace hakmem {

// Pushes a block freed by a thread that does not own the page, waking the
// owner if the page is on its full list. Reports a double free (the block
// still carries the free mark) instead of pushing it. After it returns the
// caller must not touch the page or its segment.
void page_free_remote(Page* page, Block* block);
// Owner: the page has no free block. Publishes kRemoteFull and returns true,
// or returns false when remote frees are already waiting (collect them).
bool page_remote_set_full(Page* page);
// Owner: the page left the full list; remote frees stop waking the owner.
void page_remote_clear_full(Page* page);
// Before a page with no live block is released or reinitialised: waits out
// a remote thread still waking the owner (a few instructions).
void page_wait_notifier(Page* page);

#if HAKMEM_CHECKED
// Called right after a remote free published its block on a page that was
// not full (checked builds; tests only).
extern void (*g_after_remote_push)(const Page*);
#endif

}  // namespace hakmem
