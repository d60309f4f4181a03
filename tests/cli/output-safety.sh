#!/bin/bash
# Outputs never damage inputs and every write is checked (issue: extract X -o X
# truncated its input; flamegraph T -o T overwrote it; > /dev/full exited 0):
#   - an output that is an input (by any name: a symlink, a part of a
#     directory input) is refused, exit 2, the input unchanged;
#   - outputs appear whole or not at all (written beside, renamed);
#   - a failed write to stdout is exit 2 naming why; a closed pipe is exit 0.
#   output-safety.sh RAMSIFT SAMPLE_DIR
set -u
ramsift=$1 sample=$2
dump=$sample/arm64-6.12.kdump
. "$(dirname "$0")/lib.sh"
cp "$dump" "$tmp/copy.kdump"
sum() { sha256sum "$1" | cut -d' ' -f1; }
before=$(sum "$tmp/copy.kdump")
unchanged() { [ "$(sum "$tmp/copy.kdump")" = "$before" ]; }
said_refused() { grep -q "refused" "$tmp/err"; }

"$ramsift" extract "$tmp/copy.kdump" -o "$tmp/copy.kdump" 2> "$tmp/err"
check "extract X -o X" 2 $? eval 'unchanged && said_refused'
ln -s "$tmp/copy.kdump" "$tmp/link.kdump"
"$ramsift" extract "$tmp/copy.kdump" -o "$tmp/link.kdump" 2> "$tmp/err"
check "extract X -o symlink-to-X" 2 $? eval 'unchanged && said_refused && [ -L "$tmp/link.kdump" ]'
ln "$tmp/copy.kdump" "$tmp/hardlink.kdump"
"$ramsift" extract "$tmp/copy.kdump" -o "$tmp/hardlink.kdump" 2> "$tmp/err"
check "extract X -o hard-link-to-X" 2 $? eval 'unchanged && said_refused'
"$ramsift" extract "$tmp/copy.kdump" -o "$tmp/small.kdump" 2> "$tmp/err"
check "extract X -o new file: whole, nothing left beside" 0 $? eval \
  '[ -s "$tmp/small.kdump" ] && ! ls -A "$tmp" | grep -q "ramsift-"'

zstd -q -d -c "$sample/page_owner.txt.zst" > "$tmp/po.txt"
po_before=$(sum "$tmp/po.txt")
"$ramsift" flamegraph "$tmp/po.txt" -o "$tmp/po.txt" 2> "$tmp/err"
check "flamegraph T -o T" 2 $? eval '[ "$(sum "$tmp/po.txt")" = "$po_before" ] && said_refused'
"$ramsift" flamegraph "$tmp/po.txt" -o "$tmp/flame.svg" 2> "$tmp/err"
check "flamegraph T -o new file" 0 $? grep -q "</svg>" "$tmp/flame.svg"
mkdir "$tmp/out"
"$ramsift" page-tracking "$tmp/copy.kdump" -o "$tmp/out" 2> "$tmp/err"
check "page-tracking -o DIR" 0 $? eval '[ -s "$tmp/out/page_tracking.txt" ] && ! ls -A "$tmp/out" | grep -q "ramsift-"'

if [ -w /dev/full ]; then
  for cmd in "page-owner -q" "top" "info"; do
    # shellcheck disable=SC2086
    "$ramsift" $cmd "$tmp/copy.kdump" > /dev/full 2> "$tmp/err"
    check "$cmd > /dev/full" 2 $? grep -q "writing the output failed" "$tmp/err"
  done
  "$ramsift" top "$tmp/po.txt" > /dev/full 2> "$tmp/err"
  check "top TEXT > /dev/full" 2 $? grep -q "writing the output failed" "$tmp/err"
fi
"$ramsift" page-owner "$tmp/copy.kdump" 2> "$tmp/err" | head -n 3 > /dev/null
check "page-owner | head -3: a closed pipe ends quietly" 0 "${PIPESTATUS[0]}" eval '! grep -q "writing the output" "$tmp/err"'

finish
