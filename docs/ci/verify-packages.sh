#!/usr/bin/env bash
# Verifies every replay package a release ships, for CI (docs/CI.md).
#
# usage: verify-packages.sh OUTDIR PACKAGE... [-- VERIFY-OPTIONS...]
#   Runs `scrubjay verify PACKAGE VERIFY-OPTIONS` for each package, printing the text result
#   and writing OUTDIR/<name>.sarif (SARIF 2.1.0, one run per package with its own
#   automationDetails.id, for code scanning) and OUTDIR/<name>.junit.xml (JUnit, one test
#   case per check). <name> is the file name without .zip or .tar.gz; when an earlier package
#   of this run already took it (a/pkg.zip and b/pkg.zip, or x.zip and x.tar.gz; compared
#   ignoring case), the later one gets <name>-2, <name>-3, ..., so no result overwrites
#   another. Each package's line "results: ..." names its files. Every package is verified
#   even when one fails.
#   Exit 0: all pass. 1: at least one fails. 2: a usage error (a missing key or policy file,
#   an input that is not a package, no scrubjay to run) or any other exit of verify that is
#   not a verdict (70: an internal error): stops at once.
#   SCRUBJAY names the binary (default: scrubjay on PATH).
set -uo pipefail
scrubjay=${SCRUBJAY:-scrubjay}
[ $# -ge 2 ] || { echo "usage: $0 OUTDIR PACKAGE... [-- VERIFY-OPTIONS...]" >&2; exit 2; }
outdir=$1; shift
packages=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do packages+=("$1"); shift; done
[ $# -gt 0 ] && shift
[ ${#packages[@]} -gt 0 ] || { echo "$0: no package given" >&2; exit 2; }
command -v "$scrubjay" >/dev/null || { echo "$0: $scrubjay: no such command; set SCRUBJAY to the scrubjay binary" >&2; exit 2; }
mkdir -p "$outdir"
failed=0
taken=/   # output names used in this run, lower-cased, each followed by / (bash 3.2 has no maps)
lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }
for package in "${packages[@]}"; do
  base=$(basename "$package"); base=${base%.zip}; base=${base%.tar.gz}
  name=$base; n=1
  while case $taken in */"$(lower "$name")"/*) true ;; *) false ;; esac; do n=$((n + 1)); name=$base-$n; done
  taken=$taken$(lower "$name")/
  echo "results: $package -> $outdir/$name.sarif, $outdir/$name.junit.xml"
  "$scrubjay" verify "$package" "$@" --sarif-output "$outdir/$name.sarif" --junit-output "$outdir/$name.junit.xml"
  status=$?
  case $status in
    0) ;;
    1) failed=$((failed + 1)) ;;
    2) echo "$0: scrubjay verify $package: exit 2 (a usage error): stopping" >&2; exit 2 ;;
    70) echo "$0: scrubjay verify $package: exit 70 (an internal error in scrubjay: please report it): stopping" >&2; exit 2 ;;
    *) echo "$0: scrubjay verify $package: exit $status (not a verdict): stopping" >&2; exit 2 ;;
  esac
done
echo "${#packages[@]} package(s) verified, $failed failed"
[ "$failed" -eq 0 ]
