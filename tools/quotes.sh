#!/bin/sh
# Checks that the code the book quotes is the code of the chapter quoting it
# (the syntax is in tools/quotes.awk). Checks every chapters/*/README.md, and
# docs/*.md and README.md against the last chapter. Run by `make test`.
set -eu
cd "$(dirname "$0")/.."

last=99
for d in chapters/[0-9][0-9]-*; do
    [ -d "$d" ] || continue
    nn=${d#chapters/}
    last=${nn%%-*}
done

set --
for f in chapters/[0-9][0-9]-*/README.md docs/*.md docs/*/*.md README.md; do
    [ -f "$f" ] && set -- "$@" "$f"
done
if [ $# -eq 0 ]; then
    echo "quotes: no markdown files to check"
    exit 0
fi
exec awk -v last="$last" -f tools/markers.awk -f tools/quotes.awk "$@"
