#!/usr/bin/env bash
# The layering check: no file under src/ includes a header of a higher layer.
#
# The order is read from docs/ARCHITECTURE.md, the one place it is written:
# the folder names that start the lines of the first fenced block under
# "## Layers", top layer first. A file in src/A may include "B/..." only when
# B is A or listed below A. A folder of src/ missing from that list fails
# too, so a new layer must be placed before it can be used.
#
# usage: check_layers.sh SRC_DIR ARCHITECTURE_MD
# Exit status: 0 the layers hold, 1 an include runs upwards (each printed as
# file:line: includes B/... (layer X is above layer Y)), 2 bad usage.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: check_layers.sh SRC_DIR ARCHITECTURE_MD" >&2; exit 2; }
src=$1 doc=$2
[ -d "$src" ] && [ -f "$doc" ] || { echo "check_layers.sh: missing $src or $doc" >&2; exit 2; }

# Top layer first.
mapfile -t order < <(awk '
  /^## Layers/ { in_section = 1; next }
  in_section && /^## / { exit }
  in_section && /^```/ { if (in_block) exit; in_block = 1; next }
  in_block && match($0, /^[a-z_]+\//) { print substr($0, 1, RLENGTH - 1) }
' "$doc")
[ ${#order[@]} -gt 0 ] || { echo "check_layers.sh: no layer list under '## Layers' in $doc" >&2; exit 2; }

status=0
# One awk over every include line: rank each layer (top = highest), report
# folders missing from the list and includes that run upwards.
find "$src" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort > "${TMPDIR:-/tmp}/layers.$$"
grep -rn --include='*.h' --include='*.cpp' --include='*.c' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$src" |
  awk -v src="$src/" -v order="${order[*]}" -v dirs="${TMPDIR:-/tmp}/layers.$$" '
    BEGIN {
      n = split(order, top_first, " ")
      for (i = 1; i <= n; i++) rank[top_first[i]] = n - i + 1
      while ((getline d < dirs) > 0)
        if (!(d in rank)) { printf "src/%s/ is not in the layer list\n", d; bad = 1 }
    }
    {
      file = $0; sub(/:.*/, "", file)
      rest = substr($0, length(file) + 2); line = rest; sub(/:.*/, "", line)
      text = substr(rest, length(line) + 2)
      rel = substr(file, length(src) + 1); from = rel; sub(/\/.*/, "", from)
      if (!match(text, /"[a-z_]+\//)) next
      to = substr(text, RSTART + 1, RLENGTH - 2)
      if ((to in rank) && (from in rank) && rank[to] > rank[from]) {
        printf "src/%s:%s: includes \"%s/...\" (layer %s is above layer %s)\n", rel, line, to, to, from
        bad = 1
      }
    }
    END { exit bad }' || status=1
rm -f "${TMPDIR:-/tmp}/layers.$$"

if [ $status -eq 0 ]; then
  echo "layers hold (top first): ${order[*]}"
fi
exit $status
