#!/usr/bin/env bash
# check_static_init.sh LIB: the library runs no C++ dynamic initializer.
#
# hakmem initializes from a constructor of priority 101 (api/init.cpp), and
# its first malloc may come even earlier, from the loader or libc. A global
# whose initializer is not constant is set by the library's dynamic
# initialization, which runs after that constructor and silently undoes
# what it did: the playbook table that learner_init loaded came up empty in
# every real process until 2026-12-03. So every global must be
# constant-initialized (constinit where it matters); the compiler emits a
# _GLOBAL__sub_I_<file> function for each file that has one.
set -euo pipefail
lib=$1
symbols=$(nm -C "$lib")
# A stripped library would pass for the wrong reason.
grep -q 'hakmem_constructor' <<<"$symbols" || { echo "check_static_init: $lib has no symbol table to check" >&2; exit 2; }
if found=$(grep -E '_GLOBAL__sub_I_|global constructors keyed to' <<<"$symbols"); then
  echo "check_static_init: $lib runs dynamic initializers after hakmem's constructor:" >&2
  echo "$found" >&2
  echo "make the globals of these files constant-initialized (constinit)" >&2
  exit 1
fi
echo "check_static_init: no dynamic initializer in $lib"
