#!/usr/bin/env bash
# A git workload for the preload suite (preload_driver.py, case git), run in
# an empty directory: init, several commits of many files, log, diff, gc and
# repack, then the objects themselves. Dates, names and configuration are
# fixed so every hash and every line printed is the same on each run.
set -euo pipefail
export HOME=$PWD GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null TZ=UTC
export GIT_AUTHOR_NAME="Hak Mem" GIT_AUTHOR_EMAIL=hakmem@example.com
export GIT_COMMITTER_NAME="Hak Mem" GIT_COMMITTER_EMAIL=hakmem@example.com
git init -q -b main repo
cd repo
git config pack.threads 1  # deterministic packs
git config gc.auto 0

# One awk per commit writes every file it changes: file f changes in commit c
# when f is a multiple of c. Line i of file f is a hash of (f, i, c).
mkdir dir0 dir1 dir2 dir3 dir4 dir5 dir6 dir7
for commit in 1 2 3 4; do
  awk -v c="$commit" 'BEGIN { for (f = 1; f <= 150; f++) { if (f % c) continue
      path = "dir" (f % 8) "/file" f ".txt"
      for (i = 1; i <= 40 + f % 30; i++)
        printf "file %d line %d: %x %s\n", f, i, (f * 2654435761 + i * 40503 + c * (i % 7 == 0)) % 4294967296,
               substr("the quick brown fox jumps over the lazy dog", 1 + (f + i) % 20, 10 + i % 20) > path
      close(path) } }'
  if [ "$commit" -eq 3 ]; then git rm -q dir2/file10.txt dir5/file13.txt; git mv dir3/file11.txt dir4/moved11.txt; fi
  git add -A
  export GIT_AUTHOR_DATE="2024-01-0${commit}T12:00:00Z" GIT_COMMITTER_DATE="2024-01-0${commit}T12:00:00Z"
  git commit -q -m "commit $commit" -m "changes every file whose number is a multiple of $commit"
done
git tag -a v1 -m "tag v1" HEAD~1

git log --stat --format='%H %an <%ae> %ad%n%s%n%b' --date=iso
git diff --stat -M HEAD~3 HEAD
git diff HEAD~2 HEAD -- dir0 dir4 | md5sum
git gc -q
git repack -q -a -d -f --window=50
git count-objects -v | grep -v -e size -e '^prune'
git cat-file --batch-all-objects --batch-check
git cat-file -p HEAD
git cat-file -p v1
git ls-tree -r HEAD | md5sum
git rev-list --all --objects | md5sum
git fsck --full --strict 2>&1
git log --all --oneline --graph
