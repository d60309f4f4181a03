# Shared by the CLI contract tests: a scratch folder and check().
#   . lib.sh;  check NAME WANT_EXIT GOT_EXIT [COMMAND...]  (COMMAND must succeed too)
#   finish   # prints "N passed, N failed", exits non-zero on a failure
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/err"
failures=0 checks=0
check() {
  local name=$1 want=$2 got=$3
  shift 3
  checks=$((checks + 1))
  if [ "$got" != "$want" ] || { [ $# -gt 0 ] && ! "$@"; }; then
    echo "FAIL: $name: exit $got (want $want)"; sed 's/^/  stderr: /' "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}
finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" = 0 ]
}
