#!/bin/sh
# ramsift.so inside Debian's crash, in batch mode, on one form of a
# real-kernel fixture case: every command's output must be byte-identical
# to the `ramsift` CLI's on the same dump with the same options, and take at
# most 3 times as long (the command's own time, which the extension prints
# with RAMSIFT_CRASH_STATS; crash's start-up is not counted).
#   crash-extension.sh RAMSIFT RAMSIFT_SO CASE FORM [--expect-off]
# CASE is relative to the fixture directory (x86_64-6.1/main), FORM a dump
# file in it. --expect-off: a kernel booted without page_owner=on; each
# command says so, prints nothing, and crash goes on.
set -eu
ramsift=$1 so=$2 case_=$3 form=$4 mode=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
dir=$("$here/../../fixtures/build" --print-dir | tail -n 1)/$case_
dump=$dir/$form vmlinux=$dir/vmlinux
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ "$mode" = --expect-off ]; then
  printf 'extend %s\npageowner > %s/po\npagetop > %s/top\nsys\nq\n' "$so" "$out" "$out" > "$out/cmds"
  crash -s "$vmlinux" "$dump" -i "$out/cmds" < /dev/null > "$out/log" 2>&1 || true
  grep -v '^bt: ' "$out/log" | grep ramsift || true
  [ "$(grep -c 'boot it with page_owner=on' "$out/log")" = 2 ] || { echo "FAIL: no page_owner=on message"; exit 1; }
  grep -q 'RELEASE: 6.1' "$out/log" || { echo "FAIL: crash did not go on"; exit 1; }
  [ ! -s "$out/po" ] && [ ! -s "$out/top" ] || { echo "FAIL: output without page_owner"; exit 1; }
  echo "ok: page_owner off is a message"
  exit 0
fi

# name | the crash command line | the CLI's subcommand and options (the
# dump goes right after the subcommand, as the extension passes it: list
# options such as --pid take every word that follows them)
cases='page_owner|pageowner|page-owner -q
freed_pid1|pageowner --freed --pid 1|page-owner -q --freed --pid 1
pfn_range|pageowner --pfn-range 0x10000-0x20000 --format json|page-owner -q --pfn-range 0x10000-0x20000 --format json
top|pagetop|top
top_comm_stack|pagetop --by comm,stack --top 25 --format csv|top --by comm,stack --top 25 --format csv
top_tgid|pagetop --by tgid --sort -pages,pid --min-pages 16 --format json|top --by tgid --sort -pages,pid --min-pages 16 --format json
top_category|pagetop --by category,module --top 10|top --by category,module --top 10
pageinfo|pageinfo --pfn 0x1f5e3|page pfn:0x1f5e3
pageinfo_pa|pageinfo 1f5e3000 --format json|page pa:0x1f5e3000 --format json
pagewalk|pagewalk ffffffffc0126000 linux_banner --format json|vtop ffffffffc0126000 linux_banner --format json'

# One crash session runs every command, then the help pages and two bad
# command lines (answered with a message; crash goes on to `sys`).
{
  echo "extend $so"
  echo "$cases" | while IFS='|' read -r name crash_cmd cli_args; do echo "$crash_cmd > $out/crash.$name"; done
  echo "help pageowner"; echo "help pagetop"; echo "help pageinfo"; echo "help pagewalk"
  echo "pagetop --by nonsense"; echo "pageinfo"; echo "sys"; echo q
} > "$out/cmds"
RAMSIFT_CRASH_STATS=1 crash -s "$vmlinux" "$dump" -i "$out/cmds" < /dev/null > "$out/log" 2>&1 || true
grep -q 'ramsift.so: shared object loaded' "$out/log" || {
  echo "FAIL: crash did not load the extension:"; cat "$out/log"; exit 1; }

fail=0
now() { date +%s.%N; }
n=0
while IFS='|' read -r name crash_cmd cli_args; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  set -- $cli_args
  sub=$1
  shift
  t0=$(now)
  "$ramsift" "$sub" "$dump" --vmlinux "$vmlinux" "$@" > "$out/cli.$name" 2> "$out/cli-err.$name" || true
  t1=$(now)
  cli=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1")
  # The n-th "took" line of the session is this command's.
  in_crash=$(sed -n 's/^ramsift: [a-z]* took \([0-9.]*\) s.*/\1/p' "$out/log" | sed -n "${n}p")
  ratio=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[1] or 'inf') / max(float(sys.argv[2]), 0.01)))" \
    "$in_crash" "$cli")
  if [ ! -s "$out/cli.$name" ]; then
    echo "FAIL $name: the CLI printed nothing"; cat "$out/cli-err.$name"; fail=1
  elif ! cmp -s "$out/crash.$name" "$out/cli.$name"; then
    echo "FAIL $name: \`$crash_cmd\` in crash differs from \`ramsift $cli_args\`"
    diff "$out/crash.$name" "$out/cli.$name" | head -20 || true
    fail=1
  else
    echo "ok   $name: identical, $(wc -c < "$out/cli.$name") bytes; in crash ${in_crash}s, CLI ${cli}s (${ratio}x)"
    python3 -c "import sys; sys.exit(float(sys.argv[1]) > 3)" "$ratio" || {
      echo "FAIL $name: more than 3 times the CLI's time"; fail=1; }
  fi
done <<EOF
$cases
EOF
grep 'physical reads' "$out/log" | head -1

for want in 'pageowner - Every page_owner record' 'pagetop - Who holds memory' 'pageinfo - One page' \
    'pagewalk - Kernel virtual addresses' \
    '--pfn-range' 'RELEASE: 6.1' 'pageinfo: give a physical address' 'nonsense'; do
  grep -q -- "$want" "$out/log" || { echo "FAIL: no \"$want\" in crash's output"; fail=1; }
done
if [ "$fail" != 0 ]; then
  echo "--- crash's session:"; grep -v '^bt: ' "$out/log" | head -80
  exit 1
fi
echo "all identical"
