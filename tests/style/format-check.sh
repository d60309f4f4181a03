#!/bin/sh
# clang-format-14 over every C and C++ file git tracks (.clang-format), except
# the compiled test inputs under */data/ (their layout is what they test).
# Fails listing each file that is not formatted: fix with
#   clang-format-14 -i FILE
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
files=$(git ls-files '*.cc' '*.h' '*.cpp' '*.c' | grep -v '/data/')
bad=0
for f in $files; do
  if ! clang-format-14 --dry-run --Werror "$f" > /dev/null 2>&1; then
    echo "not clang-format-14 clean: $f"
    bad=$((bad + 1))
  fi
done
echo "$(echo "$files" | wc -l) files, $bad not formatted"
[ "$bad" = 0 ]
