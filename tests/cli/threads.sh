#!/usr/bin/env bash
# The walk on several threads (symbolize/chunked_walk.h) prints what one
# thread prints: every command's stdout, stderr and exit code with --threads
# 2, 3 and 0 (every core) equal --threads 1's, on a dump (the bundled sample
# and one committed cell of each kind: tens of chunks each, the walk cut at
# 8192-pfn boundaries or less).
#   threads.sh RAMSIFT DUMP
set -uo pipefail
ramsift=$1 dump=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

run() {  # run NAME THREADS ARGS...: stdout, stderr and exit code in $tmp/NAME.THREADS
  local name=$1 threads=$2
  shift 2
  "$ramsift" "$@" --threads "$threads" >"$tmp/$name.$threads.out" 2>"$tmp/$name.$threads.err"
  echo $? >"$tmp/$name.$threads.rc"
}
same() {  # same NAME: every thread count's output equals one thread's
  local name=$1 t
  for t in 2 3 0; do
    cp "$tmp/$name.$t.err" "$tmp/err"
    check "$name --threads $t = --threads 1 (stdout, stderr, exit)" 0 0 \
      cmp -s "$tmp/$name.1.out" "$tmp/$name.$t.out"
    check "$name --threads $t: same stderr" 0 0 cmp -s "$tmp/$name.1.err" "$tmp/$name.$t.err"
    check "$name --threads $t: same exit code" "$(cat "$tmp/$name.1.rc")" "$(cat "$tmp/$name.$t.rc")"
  done
}
for t in 1 2 3 0; do
  run text $t page-owner "$dump"
  run csv $t page-owner --format csv "$dump"
  run json $t page-owner --format json --freed "$dump"
  run filtered $t page-owner --order 0 --function 'alloc' "$dump"
  run top $t top --by comm,stack "$dump"
  run flamegraph $t flamegraph "$dump"
  run range $t page-owner --pfn-range 0x40000-0x7ffff "$dump"
done
for name in text csv json filtered top flamegraph range; do same "$name"; done
records=$(grep -c '^Page allocated via order' "$tmp/text.1.out")
check "page-owner printed records ($records)" 0 $((records > 100 ? 0 : 1))
check "the text's exit code is 0 or 1 (a whole or partial read)" 0 $(($(cat "$tmp/text.1.rc") <= 1 ? 0 : 1))
finish
