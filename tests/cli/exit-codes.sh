#!/bin/bash
# Exit codes and refusals on the bundled sample (docs/exit-codes.md): 0 all
# read, 1 a result with parts missing (named on stderr), 2 nothing usable;
# options that would be silently ignored or make no sense are refused.
#   exit-codes.sh RAMSIFT SAMPLE_DIR
set -u
ramsift=$1 sample=$2
dump=$sample/arm64-6.12.kdump
. "$(dirname "$0")/lib.sh"
zstd -q -d -c "$sample/page_owner.txt.zst" > "$tmp/po.txt"
said() { grep -q -- "$1" "$tmp/err"; }

: > "$tmp/empty.txt"
"$ramsift" top "$tmp/empty.txt" > /dev/null 2> "$tmp/err"
check "top on a 0-byte text" 2 $? said "empty file"
"$ramsift" page-owner "$tmp/empty.txt" > /dev/null 2> "$tmp/err"
check "page-owner on a 0-byte text" 2 $? said "empty file"

# Standard input as a text ("-"); a FIFO is refused, not waited on.
"$ramsift" top "$tmp/po.txt" --page-size 4096 --by comm --format csv > "$tmp/file.csv" 2>/dev/null
"$ramsift" top - --page-size 4096 --by comm --format csv < "$tmp/po.txt" > "$tmp/stdin.csv" 2> "$tmp/err"
check "top - (stdin) equals top FILE" 0 $? cmp -s "$tmp/stdin.csv" "$tmp/file.csv"
"$ramsift" top - < /dev/null > /dev/null 2> "$tmp/err"
check "top - with nothing on stdin" 2 $? said "empty input"
mkfifo "$tmp/fifo"
timeout 20 "$ramsift" info "$tmp/fifo" > /dev/null 2> "$tmp/err"
check "info on a FIFO with no writer" 2 $? said "not a regular file"
# --format only where it does something: extract writes a kdump, always.
"$ramsift" extract "$dump" -o "$tmp/never.kdump" --format json > /dev/null 2> "$tmp/err"
check "extract --format refused" 2 $? eval '[ ! -e "$tmp/never.kdump" ] && said "format"'
"$ramsift" extract "$dump" -o "$tmp/same" --symbols "$tmp/./same" > /dev/null 2> "$tmp/err"
check "extract -o X --symbols X refused" 2 $? eval '[ ! -e "$tmp/same" ] && said "same file"'

# A pfn the sample has (its first record), and one far beyond its memory.
pfn=$(sed -n 's/^PFN \(0x[0-9a-f]*\) .*/\1/p' "$tmp/po.txt" | head -n 1)
"$ramsift" page "$dump" "pfn:$pfn" > /dev/null 2> "$tmp/err"
check "page with a good pfn" 0 $?
"$ramsift" page "$dump" pfn:0x7fffffffff > /dev/null 2> "$tmp/err"
check "page with one failing address" 2 $?
"$ramsift" page "$dump" "pfn:$pfn" pfn:0x7fffffffff > "$tmp/out" 2> "$tmp/err"
check "page with one of two addresses failing" 1 $? grep -q "$pfn" "$tmp/out"
"$ramsift" page "$dump" pfn:0x7ffffffffe pfn:0x7fffffffff > /dev/null 2> "$tmp/err"
check "page with every address failing" 2 $?
"$ramsift" page "$dump" --handle 1 "pfn:$pfn" > /dev/null 2> "$tmp/err"
check "page --handle with an address" 2 $? said "no addresses"

for f in "--pid 1" "--pfn-range 1-2" "--freed" "--format json"; do
  # shellcheck disable=SC2086
  "$ramsift" page-owner --stacks $f "$dump" > "$tmp/out" 2> "$tmp/err"
  check "page-owner --stacks $f is refused" 2 $? eval '[ ! -s "$tmp/out" ] && said "top --stacks"'
done

"$ramsift" info "$dump" > /dev/null 2> "$tmp/err"
check "info with the vmlinux in symbols/" 0 $?
"$ramsift" info --no-kernel "$dump" > /dev/null 2> "$tmp/err"
check "info --no-kernel" 0 $?

# Sizes: a dump's own page size; a text's --page-size, else 4096 with a note.
"$ramsift" top "$dump" --page-size 16384 > /dev/null 2> "$tmp/err"
check "top DUMP --page-size that contradicts the dump" 2 $? said "contradicts"
for bad in 0 3 4097 1048576; do
  "$ramsift" top "$tmp/po.txt" --page-size $bad > /dev/null 2> "$tmp/err"
  check "top --page-size $bad" 2 $? said "power of two"
done
"$ramsift" top "$tmp/po.txt" --format json > "$tmp/top.json" 2> "$tmp/err"
check "top TEXT: 4096 with a note" 0 $? eval 'said "assume 4096" && python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))[\"page_size\"] != 4096)" "$tmp/top.json"'
"$ramsift" top "$tmp/po.txt" --page-size 16384 --format json > "$tmp/top.json" 2> "$tmp/err"
check "top TEXT --page-size 16384" 0 $? python3 -c "
import json, sys
t = json.load(open('$tmp/top.json'))
sys.exit(0 if t['page_size'] == 16384 and all(g['bytes'] == g['pages'] * 16384 for g in t['groups']) else 1)"

# Options that cannot mean anything are refused (exit 2), never taken silently.
refused() {
  local name=$1 words=$2
  shift 2
  "$ramsift" "$@" > "$tmp/out" 2> "$tmp/err"
  check "$name" 2 $? eval '[ ! -s "$tmp/out" ] && said "$words"'
}
refused "top --top -1" "at least 1" top "$tmp/po.txt" --top -1
refused "top --top 0" "at least 1" top "$tmp/po.txt" --top 0
refused "diff --top -1" "at least 1" diff "$tmp/po.txt" "$tmp/po.txt" --top -1
refused "top --min-pages -3" "at least 0" top "$tmp/po.txt" --min-pages -3
refused "top --since after --until" "no record can match" top "$tmp/po.txt" --since 2s --until 1s
refused "flamegraph DUMP --since after --until" "no record can match" flamegraph "$dump" --since 2s --until 1s --folded
refused "top --order 99" "MAX_PAGE_ORDER" top "$tmp/po.txt" --order 99
refused "flamegraph --order 16" "MAX_PAGE_ORDER" flamegraph "$tmp/po.txt" --order 16 --folded
refused "top --gfp NOT_A_FLAG" "flag name" top "$tmp/po.txt" --gfp NOT_A_FLAG
refused "top --gfp gfp_kernel" "flag name" top "$tmp/po.txt" --gfp gfp_kernel
refused "page-owner --modules /nonexistent" "no such directory" page-owner "$dump" --modules /nonexistent
refused "page-owner --kaslr-offset -1" "non-negative" page-owner "$dump" --kaslr-offset -1
refused "info --phys-base -1" "non-negative" info "$dump" --phys-base -1
refused "page-owner --va-bits 40" "36, 39, 42, 47, 48 or 52" page-owner "$dump" --va-bits 40
# A well-formed flag and order still filter.
"$ramsift" top "$tmp/po.txt" --gfp __GFP_COMP --order 0 --format csv > "$tmp/out" 2> "$tmp/err"
check "top --gfp __GFP_COMP --order 0" 0 $? test -s "$tmp/out"
# A vmlinux whose DWARF lost a struct page_owner member the kernel prints:
# refused naming it, never that field printed as 0 on every record.
id=$("$ramsift" info "$dump" --format json 2>/dev/null | sed -n 's/.*"vmlinux": "[^"]*symbols\/\([0-9a-f]*\)\/vmlinux.zst".*/\1/p' | head -n 1)
zstd -dqc "$sample/../../symbols/$id/vmlinux.zst" > "$tmp/vmlinux"
# lose NAME FROM TO: FROM with NAME renamed in .debug_str only.
lose() {
  python3 - "$2" "$3" "$1" <<'PY'
import subprocess, sys
data = open(sys.argv[1], "rb").read()
name = sys.argv[3].encode() + b"\0"
# The member's name changed in .debug_str only (the symbol table, which
# ramsift checks the dump's kallsyms against, keeps the function free_pid):
# as if the member were gone. .debug_str shares tails ("free_pid" is the
# tail of "..._work_free_pid", "pid" of "free_pid"), so the character changed
# is its last '_', before the shared tail ("pid", "tgid") other members use.
sections = subprocess.run(["readelf", "-W", "-S", sys.argv[1]], capture_output=True, text=True, check=True).stdout
fields = next(l.split("]", 1)[1].split() for l in sections.splitlines() if " .debug_str " in l + " ")
start, size = int(fields[3], 16), int(fields[4], 16)
cut = name.rindex(b"_")
strings = data[start:start + size]
changed = strings.replace(name, name[:cut] + b"X" + name[cut + 1:])
assert changed != strings, "no such string"
open(sys.argv[2], "wb").write(data[:start] + changed + data[start + size:])
PY
}
for member in free_tgid free_pid; do
  lose "$member" "$tmp/vmlinux" "$tmp/lost-$member"
  "$ramsift" page-owner "$dump" --vmlinux "$tmp/lost-$member" > "$tmp/out" 2> "$tmp/err"
  check "page-owner with a vmlinux that lost page_owner.$member" 2 $? eval '[ ! -s "$tmp/out" ] && said "has no $member"'
  # page still tells the struct page, and says why there is no story (exit 1).
  "$ramsift" page "$dump" "pfn:$pfn" --vmlinux "$tmp/lost-$member" > "$tmp/out" 2> "$tmp/err"
  check "page with a vmlinux that lost page_owner.$member" 1 $? \
    eval 'grep -q "PAGE.*PHYSICAL" "$tmp/out" && said "has no $member" && ! said "$member, $member"'
done
# A kernel older than ramsift reads (before 5.4: no PAGE_EXT_OWNER_ALLOCATED,
# its page_ext kept no allocated/freed state): exit 2 naming what is missing,
# never a wrong record.
lose PAGE_EXT_OWNER_ALLOCATED "$tmp/vmlinux" "$tmp/pre-5.4"
"$ramsift" page-owner "$dump" --vmlinux "$tmp/pre-5.4" > "$tmp/out" 2> "$tmp/err"
check "page-owner on a kernel before 5.4 (no PAGE_EXT_OWNER_ALLOCATED)" 2 $? \
  eval '[ ! -s "$tmp/out" ] && said "PAGE_EXT_OWNER_ALLOCATED" && said "before 5.4"'
# A layout given that is a real arm64 choice but not this kernel's (39 bits):
# said to be the option's, not "the page tables are not in this dump".
"$ramsift" page-owner "$dump" --va-bits 48 > /dev/null 2> "$tmp/err"
check "page-owner --va-bits 48 on a 39-bit kernel" 2 $? eval 'said "the layout given (--va-bits 48)" && ! said "not in this dump"'
# A dump whose VMCOREINFO names a build ID no vmlinux has: the dump part is
# printed, the kernel part left out and said why (exit 1).
python3 - "$dump" "$tmp/other-id.kdump" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
at = data.index(b"BUILD-ID=") + len(b"BUILD-ID=")
flipped = b"0" if data[at:at + 1] != b"0" else b"1"
open(sys.argv[2], "wb").write(data[:at] + flipped + data[at + 1:])
PY
"$ramsift" info "$tmp/other-id.kdump" > "$tmp/out" 2> "$tmp/err"
check "info on a dump whose BUILD-ID no vmlinux has" 1 $? eval 'grep -q "^format" "$tmp/out" && said "kernel part of info is left out"'

# Problems and not one record read: nothing usable (2); one good record: 1.
printf 'Page allocated via order x, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (init), ts 5 ns\nPFN 0x100 type Unmovable Block 0 type Unmovable Flags 0x0()\n foo+0x1/0x2\n\n' > "$tmp/bad.txt"
"$ramsift" top "$tmp/bad.txt" > /dev/null 2> "$tmp/err"
check "top on a text whose only record is broken" 2 $? said "no record could be read"
printf 'Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (init), ts 5 ns\nPFN 0x100 type Unmovable Block 0 type Unmovable Flags 0x0()\n foo+0x1/0x2\n\n' >> "$tmp/bad.txt"
"$ramsift" top "$tmp/bad.txt" > /dev/null 2> "$tmp/err"
check "top on a text with one broken record of two" 1 $? eval 'said "bad order" && ! said "no record could be read"'

# A truncated vmlinux is said to be truncated, not "stripped".
head -c $(( $(stat -c %s "$tmp/vmlinux") / 2 )) "$tmp/vmlinux" > "$tmp/vmlinux.half"
"$ramsift" page-owner "$dump" --vmlinux "$tmp/vmlinux.half" > "$tmp/out" 2> "$tmp/err"
check "page-owner with a truncated vmlinux" 2 $? eval 'said "truncated" && ! said "stripped"'

# A layout given that does not fit is named as the options' fault.
"$ramsift" page-owner "$dump" --kaslr-offset 0x1000 > "$tmp/out" 2> "$tmp/err"
check "page-owner --kaslr-offset wrong" 2 $? said "the layout given (--kaslr-offset 0x1000)"
finish
