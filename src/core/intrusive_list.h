// A doubly linked list threaded through its elements' own `next` and `prev`
// fields: no allocation, O(1) push at either end and O(1) removal of any
// element. Every list of hakmem's metadata is one: a heap's class queues,
// full list, segment lists and purge list (core/heap_lists.h), the segment
// cache and the abandoned segments (core/segment.cpp), the large mapping
// cache's buckets (large/large_cache.cpp).
//
// An element is on at most one list through a given pair of fields at a
// time; off every list its links are null (remove() clears them), so
// `next == nullptr && prev == nullptr` means "alone or on no list" - the
// free fast path tests exactly that (core/alloc.h). The list holds no lock:
// its owner's lock or thread discipline covers it.
//
// kEnd is what front() returns for an empty list: nullptr, or for a heap's
// class queues &g_empty_page, so that the refill reads the head's free list
// without testing for an empty queue first (that test cost the pair loop at
// 1 KiB 0.3 instructions per malloc+free). Elements' links are
// null-terminated either way.
//
// Plain inline code on the two pointers, which compiles to what the lists
// written by hand did (callgrind golden counts). Constant-initializable, so
// lists may live in constinit globals and in g_empty_heap.
#pragma once

namespace hakmem {

// The operations, on a head and a tail stored wherever their owner keeps
// them: the class queues keep all heads in one array (Heap::pages), which
// the refill indexes with one scaled load; a head and tail side by side
// (16-byte stride) cost 4 instructions per refill there (callgrind, pair
// loop at 1 KiB: 0.57 per malloc+free pair).
template <class T, T* T::*kNext = &T::next, T* T::*kPrev = &T::prev, T* kEnd = nullptr>
class IntrusiveListRef {
public:
    IntrusiveListRef(T*& head, T*& tail) : head_(head), tail_(tail) {}

    bool empty() const { return head_ == kEnd; }
    T* front() const { return head_; }  // kEnd when empty
    T* back() const { return tail_; }   // nullptr when empty

    void push_front(T* e) {
        T* next = empty() ? nullptr : head_;
        e->*kPrev = nullptr;
        e->*kNext = next;
        if (next != nullptr) next->*kPrev = e; else tail_ = e;
        head_ = e;
    }
    void push_back(T* e) {
        e->*kNext = nullptr;
        e->*kPrev = tail_;
        if (tail_ != nullptr) tail_->*kNext = e; else head_ = e;
        tail_ = e;
    }
    // Precondition: e is on this list.
    void remove(T* e) {
        T* next = e->*kNext;
        T* prev = e->*kPrev;
        if (prev != nullptr) prev->*kNext = next; else head_ = next != nullptr ? next : kEnd;
        if (next != nullptr) next->*kPrev = prev; else tail_ = prev;
        e->*kNext = e->*kPrev = nullptr;
    }
    // Forgets every element without touching them (their links are stale:
    // for callers that reset each element themselves or drop them all).
    void clear() {
        head_ = kEnd;
        tail_ = nullptr;
    }

private:
    T*& head_;
    T*& tail_;
};

// The list that owns its head and tail (every list but the class queues).
template <class T, T* T::*kNext = &T::next, T* T::*kPrev = &T::prev>
class IntrusiveList {
public:
    constexpr IntrusiveList() = default;

    bool empty() const { return head_ == nullptr; }
    T* front() const { return head_; }  // nullptr when empty
    T* back() const { return tail_; }
    void push_front(T* e) { ref().push_front(e); }
    void push_back(T* e) { ref().push_back(e); }
    void remove(T* e) { ref().remove(e); }
    void clear() { ref().clear(); }

private:
    IntrusiveListRef<T, kNext, kPrev> ref() { return {head_, tail_}; }
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

}  // namespace hakmem
