#!/bin/sh
# Runs hakmem-rss-burst under each allocator and prints one markdown table.
# usage: bench/rss_burst/run_all.sh [build dir (default build/release)] [extra args...]
build=${1:-build/release}
[ $# -gt 0 ] && shift
bin=$build/bench/hakmem-rss-burst
lib=/usr/lib/x86_64-linux-gnu
echo "| allocator | mode | base MiB | peak MiB | after free | +0.5 s | +1 s | +2 s | within 8 MiB | <= 2 s |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
for entry in "hakmem:$build/src/libhakmem.so" "mimalloc:$lib/libmimalloc.so.2" "glibc:" \
             "jemalloc:$lib/libjemalloc.so.2" "tcmalloc:$lib/libtcmalloc_minimal.so.4"; do
    name=${entry%%:*}
    preload=${entry#*:}
    if [ -n "$preload" ] && [ ! -e "$preload" ]; then echo "| $name | missing: $preload |"; continue; fi
    LD_PRELOAD=$preload "$bin" --label "$name" "$@"
done
