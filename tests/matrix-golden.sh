#!/bin/sh
# One committed cell of the real-kernel matrix (fixtures/sample/matrix/CELL,
# made by fixtures/make-sample --cell; docs/kernel-matrix.md), checked
# without the fixtures:
#   - KASLR, page size and VA bits found in memory (the VMCOREINFO keys the
#     extract derived ignored) equal the guest's (its kallsyms, its .config);
#   - page-owner prints what the kernel printed (page_owner_golden.py rules:
#     every record identical or explained);
#   - top's sizes are pages x the kernel's page size;
#   - show_stacks (6.9+) agrees with the records (page_owner_stacks.py).
#   matrix-golden.sh RAMSIFT CELL_DIR
set -eu
ramsift=$1 cell=$2
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dump=$cell/dump.kdump
m=$cell/manifest.json
set -- --ignore-derived-vmcoreinfo
"$ramsift" info "$dump" "$@" --format json > "$out/info.json"
python3 - "$out/info.json" "$m" <<'PY'
import json, sys
info, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
k = info["kernel"]
got = dict(kaslr=int(k["kaslr_offset"], 16), page_size=int(k["page_size"]), va_bits=int(k["va_bits"]))
want = dict(kaslr=int(m["kaslr_offset"], 16), page_size=m["guest"]["page_size"], va_bits=m["guest"]["va_bits"])
print(f"{m['matrix']['cell']}: ramsift {got} ({k['kaslr_found_by']}); guest {want}")
sys.exit(0 if got == want else "FAIL: the layout ramsift found differs from the guest's")
PY
zstd -q -d -c "$cell/page_owner.txt.zst" > "$out/kernel.txt"
"$ramsift" page-owner "$dump" "$@" > "$out/ramsift.txt"
"$ramsift" page-owner -q --freed "$dump" "$@" > "$out/freed.txt"
# Small guests churn a larger share of their pages while the capture runs:
# every difference must still be explained; 99% identical at least.
# A kernel without ts (before 5.11): the kernel's own read after the dump
# (fixtures/matrix recapture) decides what changed since the capture.
after=
if [ -e "$cell/page_owner.after-dump.txt.zst" ]; then
  zstd -q -d -c "$cell/page_owner.after-dump.txt.zst" > "$out/after.txt"
  after="--after-dump $out/after.txt"
fi
# shellcheck disable=SC2086
python3 "$here/fixtures/page_owner_golden.py" "$out/kernel.txt" "$out/ramsift.txt" "$m" \
  --ramsift-freed "$out/freed.txt" --quiet --min-identical 99 $after
"$ramsift" top "$dump" "$@" --by comm --format json > "$out/top.json"
python3 - "$out/top.json" "$m" <<'PY'
import json, sys
top, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
size = m["guest"]["page_size"]
bad = [g for g in top["groups"] if g["bytes"] != g["pages"] * size]
print(f"top: page_size {top['page_size']}, {len(top['groups'])} groups, bytes = pages x {size}: {not bad}")
sys.exit(0 if top["page_size"] == size and not bad and top["groups"] else "FAIL: top's sizes are not pages x page size")
PY
if [ -e "$cell/show_stacks.zst" ]; then
  zstd -q -d -c "$cell/show_stacks.zst" > "$out/show_stacks"
  "$ramsift" page-owner --stacks "$dump" "$@" > "$out/stacks"
  python3 "$here/fixtures/page_owner_stacks.py" "$out/stacks" "$out/ramsift.txt" "$out/show_stacks"
fi
