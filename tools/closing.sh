#!/bin/sh
# Checks that every chapter's README ends with the same five sections, in
# this order (issue 11, "every chapter ends the same way"):
#
#   ## The programs                       (with `make run CH=NN`)
#   ## What this chapter cannot do yet
#   ## In CPython
#   ## Challenges
#   ## Lines of code                      (with `make diff N=NN`)
#
# Headings inside fenced code blocks do not count. Also checks that the
# table of contents in README.md has a row for every chapter. Run by
# `make test`.
set -eu
cd "$(dirname "$0")/.."

expected='The programs
What this chapter cannot do yet
In CPython
Challenges
Lines of code'

status=0
checked=0
for f in chapters/[0-9][0-9]-*/README.md; do
    [ -f "$f" ] || continue
    checked=$((checked + 1))
    dir=${f%/README.md}
    nn=${dir#chapters/}
    nn=${nn%%-*}
    headings=$(awk '/^```/ { fenced = !fenced; next } !fenced && /^## / { sub(/^## +/, ""); sub(/[ \t]+$/, ""); print }' "$f")
    last=$(printf '%s\n' "$headings" | tail -n 5)
    [ "$last" = "$expected" ] && continue
    status=1
    printf '%s\n' "$expected" | while IFS= read -r h; do
        printf '%s\n' "$headings" | grep -qxF "$h" ||
            echo "closing: chapter $nn ($f) has no heading '## $h'" >&2
    done
    echo "closing: chapter $nn ($f) must end with these five headings, in this order:" \
        "$(printf '%s\n' "$expected" | sed 's/^/## /' | paste -sd '|' - | sed 's/|/, /g');" \
        "its last five are: $(printf '%s\n' "$last" | sed 's/^/## /' | paste -sd '|' - | sed 's/|/, /g')" >&2
done
for f in chapters/[0-9][0-9]-*/README.md; do
    [ -f "$f" ] || continue
    dir=${f%/README.md}
    nn=${dir#chapters/}
    nn=${nn%%-*}
    section() { awk -v h="## $1" '/^```/ { fenced = !fenced } !fenced && /^## / { on = ($0 == h); next } on' "$f"; }
    section 'The programs' | grep -qF "make run CH=$nn" || {
        echo "closing: chapter $nn ($f): '## The programs' does not give the command 'make run CH=$nn'" >&2
        status=1
    }
    section 'Lines of code' | grep -qF "make diff N=$nn" || {
        echo "closing: chapter $nn ($f): '## Lines of code' does not give the command 'make diff N=$nn'" >&2
        status=1
    }
done
# README.md's table of contents has a row for every chapter: its link and
# its `make diff` command.
for d in chapters/[0-9][0-9]-*; do
    [ -d "$d" ] || continue
    nn=${d#chapters/}
    nn=${nn%%-*}
    grep -F "]($d/README.md)" README.md | grep -qF "\`make diff N=$nn\`" || {
        echo "closing: README.md's table of contents has no row for chapter $nn (a link to $d/README.md and \`make diff N=$nn\`)" >&2
        status=1
    }
done
[ $status -eq 0 ] && echo "closing: $checked chapters end with the five closing sections, and README.md's contents list them"
exit $status
