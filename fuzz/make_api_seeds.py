#!/usr/bin/env python3
"""Writes the seed inputs of hakmem_api_fuzz into fuzz/corpus/api/.

Each seed is a short program in the harness's encoding (fuzz/api_fuzz.cpp,
decode()): a head byte (kind + 17 * (12 + thread): every op here names its thread), a slot byte, then the
operation's arguments. Run it again after changing the encoding."""
import os

KINDS = ["malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "posix_memalign", "memalign", "valloc",
         "pvalloc", "free", "free_sized", "free_aligned_sized", "alloc_at", "usable", "collect", "strategy",
         "restart"]


def op(kind, thread, slot, *args):
    return bytes([KINDS.index(kind) + 17 * (12 + thread), slot, *args])


# Size bytes (Reader::size): 0x00-0x3f tiny; 0x40|hi, lo small; 0x60|hi, lo16 medium;
# 0x80|edge, delta boundary; 0xc0|hi, lo16 large (< 2 MiB, in units of 4); 0xc8, lo16 above
# the mmap threshold; 0xe0-0xe3 sizes that must fail.
TINY = lambda n: [n]
SMALL = lambda n: [0x40 | n >> 8, n & 0xff]
MEDIUM = lambda n: [0x60 | n >> 16, n & 0xff, n >> 8 & 0xff]
EDGE = lambda i, d: [0x80 | i, d & 0xff]
LARGE = lambda n: [0xc0 | n >> 18, n >> 2 & 0xff, n >> 10 & 0xff]
HUGE = [0xc8, 0x10, 0x00]
FAIL = lambda i: [0xe0 | i]
ALIGN = lambda log2: [log2]

seeds = {
    "cross_thread_free": b"".join(
        [op("malloc", 0, s, *TINY(s * 3)) for s in range(16)] +
        [op("malloc", 1, 16 + s, *SMALL(100 * s + 17)) for s in range(16)] +
        [op("free", 1, s, 0) for s in range(16)] + [op("free_sized", 2, 16 + s, 0) for s in range(16)]),
    "aligned": b"".join(
        [op("aligned_alloc", s % 3, s, *ALIGN(s + 3), *SMALL(1000 + s)) for s in range(12)] +
        [op("posix_memalign", 1, 20 + s, *ALIGN(s * 2), *MEDIUM(70000 + s)) for s in range(12)] +
        [op("memalign", 2, 40, 0x80 | 100, *TINY(7)), op("aligned_alloc", 0, 41, 0x80 | 24, *TINY(8)),
         op("valloc", 1, 42, *SMALL(5000)), op("pvalloc", 2, 43, *TINY(0))] +
        [op("free_aligned_sized", s % 3, s, 0) for s in range(0, 44, 3)] + [op("usable", 0, s, 0) for s in range(44)]),
    "realloc_chain": b"".join(
        [op("realloc", s % 3, 5, *size) for s, size in enumerate(
            [TINY(1), TINY(40), SMALL(3000), MEDIUM(60000), EDGE(5, 10), LARGE(1900000), HUGE, SMALL(20), TINY(0)])] +
        [op("reallocarray", 1, 6, 10, *SMALL(800)), op("reallocarray", 2, 6, 255, *TINY(16)),
         op("realloc", 0, 6, *FAIL(0)), op("usable", 1, 6, 0)]),
    "calloc_and_edges": b"".join(
        [op("calloc", s % 3, s, s * 3, *EDGE(s % 8, s * 9 - 64)) for s in range(24)] +
        [op("calloc", 0, 30, 250, *TINY(2)), op("malloc", 1, 31, *FAIL(2)), op("alloc_at", 2, 32, *SMALL(4000))] +
        [op("free_aligned_sized", 1, s, 1) for s in range(33)]),
    "restart_and_purge": b"".join(
        [op("strategy", 0, 0, 3)] + [op("malloc", 1, s, *MEDIUM(9000 * s + 1)) for s in range(20)] +
        [op("malloc", 2, 20 + s, *LARGE(300000 * s + 70000)) for s in range(6)] +
        [op("restart", 1, 0, 0), op("collect", 0, 0, 1)] +
        [op("free", 0, s, 0) for s in range(0, 20, 2)] + [op("restart", 2, 0, 0)] +
        [op("malloc", 1, 40 + s, *MEDIUM(9000 * s + 5)) for s in range(10)] + [op("collect", 2, 0, 0)]),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "api")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
