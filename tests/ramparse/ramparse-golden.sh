#!/bin/sh
# `ramsift page-tracking` against Qualcomm ramparse's own page tracking files,
# made once from the same dump (fixtures/sample/ramparse/arm64-6.12/README.md):
# every difference must be one docs/ramparse.md documents (compare.py).
set -eu
ramsift=$1 fixture=$2
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$ramsift" page-tracking "$fixture/arm64-6.12-qcom.kdump" -o "$out"
python3 "$here/compare.py" "$fixture" "$out" --min-identical "${RAMPARSE_MIN_IDENTICAL:-99}"
