#!/usr/bin/env bash
# `extract --symbols` keeps what every command reads: each command's output
# (and exit code) with only the subset ELF as --vmlinux equals its output with
# the vmlinux it was cut from, and the subset is much smaller.
#   symbols-subset.sh RAMSIFT DUMP [VMLINUX]   (no VMLINUX: the symbol store's)
# Relative paths that do not exist are taken under $RAMSIFT_FIXTURES.
set -uo pipefail
ramsift=$1 dump=$2 vmlinux=${3:-}
under_fixtures() { if [ -e "$1" ] || [ -z "${RAMSIFT_FIXTURES:-}" ]; then echo "$1"; else echo "$RAMSIFT_FIXTURES/$1"; fi; }
dump=$(under_fixtures "$dump")
[ -n "$vmlinux" ] && vmlinux=$(under_fixtures "$vmlinux")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

full=()
[ -n "$vmlinux" ] && full=(--vmlinux "$vmlinux")
"$ramsift" extract "$dump" "${full[@]}" --symbols "$tmp/sub.elf" 2>"$tmp/err"
check "extract --symbols writes the subset" 0 $? test -s "$tmp/sub.elf"
sub=(--vmlinux "$tmp/sub.elf")

# Cut from a whole vmlinux: much smaller. (The symbol store of a committed
# sample holds a subset already: cut again, it keeps all of it.)
if [ -n "$vmlinux" ]; then
  case $vmlinux in
    *.zst) whole=$(zstd -dc "$vmlinux" | wc -c) ;;
    *) whole=$(stat -c %s "$vmlinux") ;;
  esac
  part=$(stat -c %s "$tmp/sub.elf")
  echo "subset: $part of $whole bytes"
  check "the subset is under a third of the vmlinux ($part of $whole bytes)" 0 $((part * 3 < whole ? 0 : 1))
fi

pfn=$("$ramsift" page-owner "$dump" "${full[@]}" 2>/dev/null | awk '/^PFN/ {print $2; exit}')
compound=$("$ramsift" page-owner "$dump" "${full[@]}" 2>/dev/null |
  awk '/^Page allocated via order [1-9]/ {want = 1; next} want && /^PFN/ {print $2; exit}')
freed=$("$ramsift" page-owner --freed "$dump" "${full[@]}" 2>/dev/null | awk '/^PFN/ {print $2; exit}')
page_va=$("$ramsift" page "$dump" "${full[@]}" "pfn:$pfn" --format json 2>/dev/null |
  sed -n 's/.*"page": "\(0x[0-9a-f]*\)".*/\1/p' | head -n 1)

# The file `info` names as the vmlinux when none is given (the store's).
named=${vmlinux:-$("$ramsift" info "$dump" --format json 2>/dev/null | sed -n 's/.*"vmlinux": "\([^"]*\)".*/\1/p' | head -n 1)}

same() {
  local name=$1
  shift
  "$ramsift" "$@" "${full[@]}" >"$tmp/want" 2>"$tmp/want.err"
  local want=$?
  "$ramsift" "$@" "${sub[@]}" >"$tmp/got" 2>"$tmp/err"
  local got=$?
  # info and messages name the vmlinux file: compared with that name taken out.
  sed -i "s|$tmp/sub.elf|VMLINUX|g" "$tmp/got" "$tmp/err"
  [ -n "$named" ] && sed -i "s|$named|VMLINUX|g" "$tmp/want" "$tmp/want.err"
  check "$name: exit $want and the same output" "$want" "$got" cmp -s "$tmp/want" "$tmp/got"
  if ! cmp -s "$tmp/want" "$tmp/got"; then diff "$tmp/want" "$tmp/got" | head -n 10; fi
}

same "info" info "$dump"
same "info json" info "$dump" --format json
same "page-owner" page-owner "$dump"
same "page-owner --freed" page-owner --freed "$dump"
same "page-owner --stacks" page-owner --stacks "$dump"
same "page-owner json" page-owner "$dump" --format json
same "top --by comm" top "$dump" --by comm
same "top --by stack json" top "$dump" --by stack --format json
same "top --by module" top "$dump" --by module
same "ps" ps "$dump"
same "ps json" ps "$dump" --format json
same "flamegraph --folded" flamegraph "$dump" --folded
same "page (allocated)" page "$dump" "pfn:$pfn"
[ -n "$compound" ] && same "page (compound)" page "$dump" "pfn:$compound" --format json
[ -n "$freed" ] && same "page (freed)" page "$dump" "pfn:$freed"
[ -n "$page_va" ] && same "vtop (vmemmap)" vtop "$dump" "$page_va"
same "diff (itself)" diff "$dump" "$dump"
finish
