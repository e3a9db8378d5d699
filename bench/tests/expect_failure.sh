#!/usr/bin/env bash
# expect_failure.sh REGEX COMMAND...: passes when COMMAND exits non-zero AND
# its output (stdout and stderr) matches REGEX (grep -E). Used to prove that
# failures are reported, loudly and with a reason, instead of passing quietly.
set -u
regex=$1
shift
output=$("$@" 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
  printf '%s\n' "$output"
  echo "expect_failure: '$*' exited 0, expected a failure" >&2
  exit 1
fi
if ! printf '%s\n' "$output" | grep -Eq -- "$regex"; then
  printf '%s\n' "$output"
  echo "expect_failure: exit status $status but no line matches /$regex/" >&2
  exit 1
fi
echo "expect_failure: failed as expected (status $status), output matches /$regex/"
