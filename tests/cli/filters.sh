#!/usr/bin/env bash
# One meaning for every filter: the same --pfn-range (and the other record
# filters) selects the same pages in every command that takes it, on a dump
# and on a text. --pfn-range A-B includes both ends and selects records whose
# block overlaps it; A alone is A-A.
#   filters.sh RAMSIFT SAMPLE_DIR
set -uo pipefail
ramsift=$1 sample=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dump=$sample/arm64-6.12.kdump
zstd -dqc "$sample/page_owner.txt.zst" > "$tmp/po.txt"

# A range whose first pfn is inside a compound block (order >= 2): that
# block overlaps it and must be selected everywhere.
read -r head order < <("$ramsift" page-owner -q "$dump" --format json |
  python3 -c "
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r['order'] >= 2:
        print(r['pfn'], r['order']); break")
first=$((head + 1)) last=$((head + 4096))
range=$(printf '0x%x-0x%x' "$first" "$last")
echo "range $range (a block of order $order at $(printf 0x%x "$head") straddles its start)"

pages_page_owner() {  # INPUT FILTERS...: pages of the records page-owner prints
  "$ramsift" page-owner -q "$@" --format json | python3 -c "
import json, sys
print(sum(json.loads(l)['pages'] for l in sys.stdin if l.strip()))"
}
pages_top() {
  "$ramsift" top "$@" --format json 2>/dev/null | python3 -c "import json, sys; print(json.load(sys.stdin)['matched_pages'])"
}
pages_flamegraph() {
  "$ramsift" flamegraph "$@" --folded 2>/dev/null | awk '{n += $NF} END {print n + 0}'
}
pages_extract() {  # the extract of the range, read back whole
  "$ramsift" extract "$@" -o "$tmp/part.kdump" 2>/dev/null &&
    pages_page_owner "$tmp/part.kdump" --pfn-range "$range"
}

for input in dump text; do
  file=$dump
  [ $input = text ] && file=$tmp/po.txt
  for filter in "--pfn-range $range" "--pfn-range $(printf 0x%x $((head + 1)))"; do
    # shellcheck disable=SC2086
    want=$(pages_page_owner "$file" $filter)
    # shellcheck disable=SC2086
    check "$input $filter: page-owner selects the straddling block" 0 $? test "$want" -ge $((1 << order))
    for cmd in top flamegraph; do
      # shellcheck disable=SC2086
      got=$(pages_$cmd "$file" $filter)
      check "$input $filter: $cmd selects the same $want pages as page-owner (got $got)" 0 $? test "$got" = "$want"
    done
  done
done
want=$(pages_page_owner "$dump" --pfn-range "$range")
got=$(pages_extract "$dump" --pfn-range "$range")
check "extract --pfn-range $range keeps the same $want pages (got $got)" 0 $? test "$got" = "$want"

# The filters page-owner shares with top (--pid, --tgid, --name).
pid=$("$ramsift" page-owner -q "$dump" --format json | python3 -c "
import json, sys
print(json.loads(next(sys.stdin))['pid'])")
for filter in "--pid $pid" "--tgid $pid" "--name rs-beta"; do
  # shellcheck disable=SC2086
  want=$(pages_page_owner "$dump" $filter)
  # shellcheck disable=SC2086
  got=$(pages_top "$dump" $filter)
  check "$filter: top selects the same $want pages as page-owner (got $got)" 0 $? test "$got" = "$want" -a "$want" -gt 0
done

# Every other record filter: page-owner, top, flamegraph and diff (its after
# side) select the same pages, on the dump and on the text.
pages_diff() {  # INPUT FILTERS...: the after side's matched pages of INPUT against itself
  local input=$1
  shift
  "$ramsift" diff "$input" "$input" "$@" --format json 2>/dev/null |
    python3 -c "import json, sys; print(json.load(sys.stdin)['after']['matched_pages'])"
}
for input in dump text; do
  file=$dump
  [ $input = text ] && file=$tmp/po.txt
  for filter in "--module ramsift_fixture" "--function ^kmem_cache_alloc" "--gfp __GFP_COMP" "--order 0" \
    "--since 2s --until 20s" "--older-than 5s" "--name rs-beta --order 0"; do
    # shellcheck disable=SC2086
    want=$(pages_page_owner "$file" $filter)
    for cmd in top flamegraph diff; do
      # shellcheck disable=SC2086
      got=$(pages_$cmd "$file" $filter)
      check "$input $filter: $cmd selects the same $want pages as page-owner (got $got)" 0 $? \
        test "$got" = "$want" -a "$want" -gt 0
    done
  done
done

# Refused the same way everywhere: an end before the start, or not a number.
for cmd in page-owner top flamegraph diff extract; do
  extra=()
  [ $cmd = extract ] && extra=(-o "$tmp/x.kdump")
  [ $cmd = diff ] && extra=("$dump")
  "$ramsift" $cmd "$dump" --pfn-range 0x200-0x100 "${extra[@]}" > /dev/null 2> "$tmp/err"
  check "$cmd --pfn-range 0x200-0x100 refused" 2 $? grep -q "before the start" "$tmp/err"
  "$ramsift" $cmd "$dump" --pfn-range 12-x "${extra[@]}" > /dev/null 2> "$tmp/err"
  check "$cmd --pfn-range 12-x refused" 2 $? grep -q "expected FIRST-LAST" "$tmp/err"
done
finish
