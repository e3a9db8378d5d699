#!/usr/bin/env bash
# Instructions per malloc+free pair, per allocator, counted by callgrind.
#
# For each allocator and size, runs pair_loop under `valgrind --tool=callgrind`
# twice, with N pairs and with 0, and prints (Ir(N) - Ir(0)) / N: startup,
# libc and allocator initialisation cancel out, what is left is the fast path.
# Instruction counts are deterministic, so unlike timings they can be compared
# across machines and commits (a regression of 3 instructions is visible).
#
# Callgrind, unlike memcheck, does not replace malloc, so LD_PRELOAD works
# under it; pair_loop reports which library served malloc and the script
# fails if it is not the one preloaded.
#
# usage: bench/micro/callgrind.sh [-n N] [-s "16 64 256 1024"] [-a "glibc mimalloc hakmem"]
#                                 [--pair-loop PATH] [--hakmem-lib PATH]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
n=1000000
sizes="16 64 256 1024"
allocators="glibc mimalloc hakmem"
pair_loop="$root/build/release/bench/hakmem-pair-loop"
hakmem_lib="${HAKMEM_BENCH_LIB:-$root/build/release/src/libhakmem.so}"

while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -s) sizes=$2; shift 2 ;;
    -a) allocators=$2; shift 2 ;;
    --pair-loop) pair_loop=$2; shift 2 ;;
    --hakmem-lib) hakmem_lib=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "callgrind.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not found; sudo apt-get install -y valgrind" >&2; exit 1; }
[ -x "$pair_loop" ] || { echo "callgrind.sh: $pair_loop not built; cmake --build --preset release --target hakmem-pair-loop" >&2; exit 1; }

multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
find_lib() {
  for f in "$@"; do
    for d in "/usr/lib/$multiarch" "/lib/$multiarch" /usr/lib64 /usr/lib /usr/local/lib; do
      [ -f "$d/$f" ] && { echo "$d/$f"; return 0; }
    done
  done
  return 1
}
lib_for() {
  case "$1" in
    glibc) echo "" ;;
    mimalloc) find_lib libmimalloc.so.2 libmimalloc.so.3 libmimalloc.so ;;
    jemalloc) find_lib libjemalloc.so.2 libjemalloc.so ;;
    tcmalloc) find_lib libtcmalloc_minimal.so.4 libtcmalloc.so.4 ;;
    hakmem) [ -f "$hakmem_lib" ] && echo "$hakmem_lib" ;;
    *) return 1 ;;
  esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Total instructions of one run: callgrind's "totals:" (or "summary:") line.
instructions() {  # name lib count size
  local out="$work/$1.$3.$4"
  if ! env ${2:+LD_PRELOAD="$2"} valgrind --tool=callgrind --callgrind-out-file="$out.cg" \
        "$pair_loop" "$3" "$4" 2>"$out.log"; then
    echo "callgrind.sh: valgrind failed for $1:" >&2; cat "$out.log" >&2; exit 1
  fi
  local from; from=$(sed -n 's/^malloc from: //p' "$out.log")
  if [ -z "$2" ]; then
    case "$(basename "$from")" in libc.so*) ;; *) echo "callgrind.sh: glibc run got malloc from $from" >&2; exit 1 ;; esac
  elif [ "$(readlink -f "$from")" != "$(readlink -f "$2")" ]; then
    echo "callgrind.sh: $1: malloc served by '$from', not $2 (preload failed under valgrind)" >&2; exit 1
  fi
  awk '/^(totals|summary):/ { print $2; exit }' "$out.cg"
}

declare -a names libs
for a in $allocators; do
  if lib=$(lib_for "$a"); then names+=("$a"); libs+=("$lib")
  else echo "callgrind.sh: skipping $a (library not found)" >&2; fi
done

printf 'instructions per malloc+free pair (N=%s, callgrind Ir)\n\n| size |' "$n"
for a in "${names[@]}"; do printf ' %s |' "$a"; done
printf '\n|---:|'; for _ in "${names[@]}"; do printf -- '---:|'; done; printf '\n'
for size in $sizes; do
  printf '| %s |' "$size"
  for i in "${!names[@]}"; do
    full=$(instructions "${names[$i]}" "${libs[$i]}" "$n" "$size")
    base=$(instructions "${names[$i]}" "${libs[$i]}" 0 "$size")
    awk -v f="$full" -v b="$base" -v n="$n" 'BEGIN { printf " %.1f |", (f - b) / n }'
  done
  printf '\n'
done
