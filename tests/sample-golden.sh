#!/bin/sh
# The bundled sample: `ramsift page-owner` finds its vmlinux in symbols/ by
# build ID and prints what the kernel printed (page_owner_golden.py rules);
# extracting the sample again loses nothing.
set -eu
ramsift=$1 sample=$2
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
zstd -q -d -c "$sample/page_owner.txt.zst" > "$out/kernel.txt"
"$ramsift" page-owner "$sample/arm64-6.12.kdump" > "$out/ramsift.txt"
"$ramsift" page-owner -q --freed "$sample/arm64-6.12.kdump" > "$out/freed.txt"
python3 "$here/fixtures/page_owner_golden.py" "$out/kernel.txt" "$out/ramsift.txt" "$sample/manifest.json" \
  --ramsift-freed "$out/freed.txt" --quiet
"$ramsift" extract "$sample/arm64-6.12.kdump" -o "$out/again.kdump"
"$ramsift" page-owner -q "$out/again.kdump" > "$out/again.txt"
cmp "$out/ramsift.txt" "$out/again.txt"
echo "extract of the sample: same records"
# The kernel's per-stack counters in the sample equal its records.
zstd -q -d -c "$sample/show_stacks.zst" > "$out/show_stacks"
"$ramsift" page-owner --stacks "$sample/arm64-6.12.kdump" > "$out/stacks"
python3 "$here/fixtures/page_owner_stacks.py" "$out/stacks" "$out/ramsift.txt" "$out/show_stacks"
