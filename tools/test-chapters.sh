#!/bin/sh
# `make test-chapters`: for every chapter (or only chapter CH), cut its
# snapshot into build/chapters/NN and run `make -j$JOBS test-snapshot` inside
# it (build with -Werror, the tests under both pollers), printing the time
# the build took and the time the tests took. Objects identical
# across snapshots are compiled once (tools/cxxcache.sh). A full run checks
# the last chapter by comparing its code with the main tree's (which `make
# test` builds and tests) instead of building it again. Each chapter's log
# is build/chapters/NN.log; a failing chapter prints its tail and the others
# still run.
#
#   tools/test-chapters.sh [CH]       JOBS (default 2) and CXX from the environment
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-2}
cxx=${CXX:-g++}
only=
if [ -n "${1-}" ]; then
    only=$(printf '%s\n' "$1" | awk '/^[0-9]+$/ && $0 + 0 >= 1 && $0 + 0 <= 99 { printf "%02d", $0 }')
    [ -n "$only" ] || { echo "test-chapters: '$1' is not a chapter number" >&2; exit 2; }
fi

# This script runs its own make with its own -j: forget the calling make's.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

chapters=$(for d in chapters/[0-9][0-9]-*; do
    [ -d "$d" ] || continue
    n=${d#chapters/}
    echo "${n%%-*}"
done | sort -u)
[ -z "$only" ] || chapters=$(echo "$chapters" | grep -x "$only" || true)
if [ -z "$chapters" ]; then
    echo "test-chapters: no chapter${only:+ $only} under chapters/"
    [ -z "$only" ]
    exit
fi

mkdir -p build/chapters
failed=
start=$(date +%s)
# The snapshots build without -g (no one debugs them: a failing chapter is
# rebuilt by hand), the runtime at -O2 as in the main tree (the same
# warnings for its code, and the tests run as fast), the tests and the
# programs at -O0: they compile in a third of the time of -O2 -g. Objects
# the snapshots share (a test whose headers a later chapter leaves alone)
# come from the cache.
snapshot_make() {
    make -C "build/chapters/$1" -j"$jobs" --no-print-directory CXX="$cxx" CXXFLAGS=-O2 \
        TEST_CXXFLAGS='-O0 -g0' CORIO_OBJ_CACHE="$root/build/objcache" "$2"
}
# The code of a file as the compiler reads it, but for line numbers: its
# whole-line comments, trailing markers and blank lines dropped.
code_of() {
    case $1 in
        *.cpp | *.hpp) awk '{ sub(/[ \t]*\/\/ @(since|before) [0-9][0-9].*$/, ""); sub(/[ \t]+$/, "") }
                            /^[ \t]*\/\// || /^$/ { next } { print }' "$1" ;;
        *.sh | *.py) awk '{ sub(/[ \t]*# @(since|before) [0-9][0-9].*$/, ""); sub(/[ \t]+$/, "") }
                          /^[ \t]*#/ || /^$/ { next } { print }' "$1" ;;
        *) cat "$1" ;;
    esac
}
# The last chapter's snapshot is the main tree with its markers resolved:
# the code of every file must be the main tree's. `make test` builds and
# tests that code, so a full run compares instead of building it again
# (four minutes of CI); `make test-chapters N=14` builds it as any other.
same_code_as_main() {
    snap=build/chapters/$1
    files=$(find src tests chapters -type f | LC_ALL=C sort)
    [ "$files" = "$(cd "$snap" && find src tests chapters -type f | LC_ALL=C sort)" ] || {
        echo "the snapshot's files under src, tests and chapters are not the main tree's"
        return 1
    }
    for f in $files; do
        code_of "$f" >"$snap.main-code"
        (cd "$snap" && code_of "$f") | cmp -s - "$snap.main-code" || {
            echo "$f: the snapshot's code differs from the main tree's:"
            (cd "$snap" && code_of "$f") | diff "$snap.main-code" - | head -n 20
            rm -f "$snap.main-code"
            return 1
        }
    done
    rm -f "$snap.main-code"
}
last=$(echo "$chapters" | tail -n 1)

for n in $chapters; do
    t0=$(date +%s)
    log=build/chapters/$n.log
    if [ "$n" = "$last" ] && [ -z "$only" ]; then
        if sh tools/snapshot.sh "$n" "build/chapters/$n" >"$log" 2>&1 && same_code_as_main "$n" >>"$log" 2>&1; then
            echo "chapter $n: ok ($(($(date +%s) - t0)) s: the main tree's code, which make test builds and tests; N=$n builds it)"
        else
            echo "chapter $n: FAILED, last lines of $log:"
            tail -n 40 "$log" | sed 's/^/    /'
            failed="$failed $n"
        fi
        continue
    fi
    if sh tools/snapshot.sh "$n" "build/chapters/$n" >"$log" 2>&1 &&
        snapshot_make "$n" tests >>"$log" 2>&1 &&
        t1=$(date +%s) && snapshot_make "$n" test-snapshot >>"$log" 2>&1; then
        echo "chapter $n: ok ($(($(date +%s) - t0)) s: build $((t1 - t0)) s, tests $(($(date +%s) - t1)) s)"
        # A passing snapshot's compiled preludes (the Makefile's precompiled
        # headers, some 300 MB) go; a failing one keeps them for a rebuild.
        rm -f "build/chapters/$n/build/pch/"*.gch
    else
        echo "chapter $n: FAILED ($(($(date +%s) - t0)) s), last lines of $log:"
        tail -n 40 "$log" | sed 's/^/    /'
        failed="$failed $n"
    fi
done
echo "test-chapters: $(($(date +%s) - start)) s"
if [ -n "$failed" ]; then
    echo "test-chapters: chapters failing:$failed"
    exit 1
fi
