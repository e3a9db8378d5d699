"""An allocation-heavy Python workload with deterministic output.

Run once plainly and once with libhakmem.so in LD_PRELOAD; the two stdouts
must be identical. It churns dicts, lists, strings, bytes, json and a thread
pool, so CPython's own allocator and the C library's malloc (which CPython
uses for everything above 512 bytes) both get a workout.
"""
import collections
import hashlib
import json
import random
import sys
from concurrent.futures import ThreadPoolExecutor


def digest(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def dict_churn(rng):
    d = {}
    for i in range(120_000):
        key = f"key-{rng.randrange(40_000)}"
        if rng.random() < 0.3 and key in d:
            del d[key]
        else:
            d[key] = [i, "v" * (i % 23), {"n": i, "sq": i * i}]
    return len(d), digest(sorted(d.items())[:500])


def list_churn(rng):
    lists = [[rng.random() for _ in range(rng.randrange(1, 400))] for _ in range(3_000)]
    total = 0
    for _ in range(20):
        rng.shuffle(lists)
        lists = [sorted(l)[: max(1, len(l) - 3)] + [rng.random()] for l in lists]
        total += sum(len(l) for l in lists)
    return total, round(sum(l[0] for l in lists), 6)


def string_churn(rng):
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(1, 12)))
             for _ in range(50_000)]
    text = " ".join(words)
    upper = text.upper()
    parts = upper.split("E")
    joined = "|".join(reversed(parts))
    counts = collections.Counter(words)
    big = (text * 8).replace("a", "AA")  # multi-megabyte strings: large-block path
    return len(joined), counts.most_common(3), hashlib.md5(big.encode()).hexdigest()


def bytes_churn(rng):
    chunks = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))) for _ in range(2_000)]
    arr = bytearray()
    for c in chunks:
        arr += c
        if len(arr) > 1_000_000:
            del arr[: len(arr) // 2]
    blobs = [bytes(n * 1024) for n in (64, 256, 1024, 4096)]  # 64 KiB .. 4 MiB
    return len(arr), hashlib.sha1(bytes(arr)).hexdigest(), sum(len(b) for b in blobs)


def json_churn(rng):
    doc = {f"item{i}": {"id": i, "tags": [f"t{j}" for j in range(i % 10)], "score": i / 7,
                        "nested": {"a": [i] * (i % 5), "b": str(i) * 3}}
           for i in range(20_000)}
    text = json.dumps(doc, sort_keys=True)
    for _ in range(3):
        doc = json.loads(text)
        text = json.dumps(doc, sort_keys=True, indent=1)
    return len(text), digest(doc["item123"])


def threaded_work(seed):
    rng = random.Random(seed)
    acc = {}
    for i in range(20_000):
        acc[i % 997] = acc.get(i % 997, "") + chr(97 + rng.randrange(26))
        if len(acc[i % 997]) > 50:
            acc[i % 997] = acc[i % 997][25:]
    return digest(acc)


def main():
    rng = random.Random(20240601)
    print("dicts", *dict_churn(rng))
    print("lists", *list_churn(rng))
    print("strings", *string_churn(rng))
    print("bytes", *bytes_churn(rng))
    print("json", *json_churn(rng))
    with ThreadPoolExecutor(max_workers=4) as pool:
        print("threads", *pool.map(threaded_work, range(8)))
    print("done")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
