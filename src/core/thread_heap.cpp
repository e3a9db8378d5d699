#include "core/thread_heap.h"

#include <new>
#include <pthread.h>

#include "core/foreign_cache.h"
#include "os/os_lock.h"
#include "os/os_memory.h"

namespace hakmem {

constinit thread_local Heap* t_heap __attribute__((tls_model("initial-exec"))) = &g_empty_heap;

namespace {

os::Lock g_registry_lock;
std::atomic<Heap*> g_registry{nullptr};  // every heap, linked through registry_next; !in_use ones are the pool
uint8_t* g_chunk = nullptr;   // bump area heaps are carved from
size_t g_chunk_left = 0;
pthread_key_t g_exit_key;
bool g_key_ready = false;
constexpr size_t kHeapChunk = 256 * 1024;
constexpr size_t kHeapStride = (sizeof(Heap) + 63) & ~size_t{63};

Heap* heap_take_from_pool() {
    os::LockGuard guard(g_registry_lock);
    // Heaps of exited threads are reused first (a linear walk: heaps number
    // as many as threads were ever alive at once, and this runs per thread).
    for (Heap* h = g_registry.load(std::memory_order_relaxed); h != nullptr; h = h->registry_next) {
        if (!h->in_use) {
            h->in_use = 1;
            return h;
        }
    }
    if (g_chunk_left < kHeapStride) {
        g_chunk = static_cast<uint8_t*>(os::map(kHeapChunk));
        if (g_chunk == nullptr) return nullptr;
        g_chunk_left = kHeapChunk;
    }
    Heap* h = new (g_chunk) Heap();
    g_chunk += kHeapStride;
    g_chunk_left -= kHeapStride;
    h->in_use = 1;
    h->registry_next = g_registry.load(std::memory_order_relaxed);
    g_registry.store(h, std::memory_order_release);  // readers walk without the lock
    return h;
}

// pthread key destructor: runs when a thread exits. Frees after this point
// (later destructors) go through the generic path; an allocation would make
// a new heap, which glibc tears down again in its next destructor round.
void thread_exit(void* arg) {
    auto* heap = static_cast<Heap*>(arg);
    if (heap == nullptr || heap == &g_empty_heap) return;
    t_heap = &g_empty_heap;
    foreign_cache_flush_all(heap);
    heap_abandon(heap);
    // Back to the pool: the one place in_use is cleared, under the lock
    // heap_take_from_pool takes.
    os::LockGuard guard(g_registry_lock);
    heap->in_use = 0;
}

}  // namespace

void thread_heap_init_key() {
    if (g_key_ready) return;
    g_key_ready = pthread_key_create(&g_exit_key, thread_exit) == 0;
}

Heap* thread_heap_get() {
    Heap* heap = t_heap;
    if (heap != &g_empty_heap) return heap;
    heap = heap_take_from_pool();
    if (heap == nullptr) return nullptr;
    heap_init(heap);
    t_heap = heap;
    if (g_key_ready) pthread_setspecific(g_exit_key, heap);
    return heap;
}

Heap* heap_registry_head() { return g_registry.load(std::memory_order_acquire); }

// The purge locks too: a thread releasing another heap's pages (decay) may
// hold one when fork() is called, and the child's heap must not inherit it held.
void heap_registry_lock() {
    g_registry_lock.lock();
    for (Heap* h = heap_registry_head(); h != nullptr; h = h->registry_next) h->purge_lock.lock();
}
void heap_registry_unlock() {
    for (Heap* h = heap_registry_head(); h != nullptr; h = h->registry_next) h->purge_lock.unlock();
    g_registry_lock.unlock();
}
void heap_registry_reset_in_child() {
    for (Heap* h = heap_registry_head(); h != nullptr; h = h->registry_next) h->purge_lock.reset_in_child();
    g_registry_lock.reset_in_child();
}

}  // namespace hakmem
