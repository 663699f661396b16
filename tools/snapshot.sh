#!/bin/sh
# Cuts chapter N's snapshot of corio: a complete tree that builds and tests
# the runtime as it stands at the end of chapter N.
#
#   tools/snapshot.sh N OUTDIR          write the tree to OUTDIR
#   tools/snapshot.sh --file N PATH     print one file as chapter N has it
#
# What goes in: the top-level files, tools/ and .ci/ as they are; every file
# of src/ and tests/ whose `// @chapter NN` is <= N; chapters/NN-slug/ for
# NN <= N; markers resolved (the syntax is in tools/markers.awk). docs/ and
# build/ stay out. Files that did not change keep their time stamps and
# OUTDIR/build is kept, so rebuilding a snapshot recompiles only what changed.
set -eu

usage() {
    echo "usage: tools/snapshot.sh N OUTDIR | tools/snapshot.sh --file N PATH" >&2
    exit 2
}

chapter_number() {
    printf '%s\n' "$1" | awk '/^[0-9]+$/ && $0 + 0 >= 1 && $0 + 0 <= 99 { printf "%02d", $0; ok = 1 }
                              END { exit !ok }' || {
        echo "tools/snapshot.sh: '$1' is not a chapter number (1 to 99)" >&2
        exit 2
    }
}

root=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1-}" = --file ]; then
    [ $# -eq 3 ] || usage
    n=$(chapter_number "$2")
    cd "$root"
    [ -f "$3" ] || { echo "tools/snapshot.sh: no file $3" >&2; exit 1; }
    printf '%s\n' "$3" | awk -v N="$n" -v out=- -f tools/markers.awk -f tools/snapshot.awk
    exit
fi

[ $# -eq 2 ] || usage
n=$(chapter_number "$1")
out=$2
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
case $root/ in "$out"/*)
    echo "tools/snapshot.sh: refusing to write into $out: it holds the source tree" >&2
    exit 2
esac
if [ -n "$(ls -A "$out")" ] && ! [ -f "$out/Makefile" -a -f "$out/tools/snapshot.sh" ]; then
    echo "tools/snapshot.sh: refusing to write into $out: not empty and not a snapshot" >&2
    exit 2
fi

cd "$root"
tmp=$out.cut.$$
trap 'rm -rf "$tmp"' EXIT INT TERM
rm -rf "$tmp"
mkdir -p "$tmp"

# The list of candidate files: top-level files, tools/, .ci/, src/, tests/,
# and chapters/NN-slug/ with NN <= N.
{
    for f in * .[!.]*; do
        [ -f "$f" ] && printf '%s\n' "$f"
    done
    for d in tools .ci src tests; do
        [ -d "$d" ] && find "$d" -type f
    done
    for d in chapters/[0-9][0-9]-*; do
        [ -d "$d" ] || continue
        case $d in chapters/[0-9][0-9]-*) ;; *) continue ;; esac
        nn=${d#chapters/}
        nn=${nn%%-*}
        [ "$nn" -le "$n" ] 2>/dev/null && find "$d" -type f
    done
} | LC_ALL=C sort >"$tmp/.candidates"

while IFS= read -r f; do
    mkdir -p "$tmp/$(dirname "$f")"
done <"$tmp/.candidates"

awk -v N="$n" -v out="$tmp" -v warnings=1 -f tools/markers.awk -f tools/snapshot.awk <"$tmp/.candidates" || {
    echo "tools/snapshot.sh: chapter $n not cut: fix the markers above" >&2
    exit 1
}

# Copy into OUTDIR only what changed, keep OUTDIR/build, drop what left.
count=0
while IFS= read -r f; do
    count=$((count + 1))
    if ! cmp -s "$tmp/$f" "$out/$f"; then
        mkdir -p "$out/$(dirname "$f")"
        rm -f "$out/$f"
        cp "$tmp/$f" "$out/$f"
    fi
    if [ -x "$f" ]; then chmod +x "$out/$f"; else chmod -x "$out/$f"; fi
done <"$tmp/.files"

(cd "$out" && find . -path ./build -prune -o -type f -print) | while IFS= read -r f; do
    f=${f#./}
    [ -f "$tmp/$f" ] || rm -f "$out/$f"
done
(cd "$out" && find . -path ./build -prune -o -type d -print) | LC_ALL=C sort -r | while IFS= read -r d; do
    [ "$d" = . ] || rmdir "$out/$d" 2>/dev/null || true
done

echo "chapter $n: $count files in $out"
