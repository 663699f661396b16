#!/bin/sh
# The tour (`make run`): every chapter's programs in order, each under a
# heading, on the real clock (a program that picks the virtual clock itself
# says so in its heading: its seconds pass at once).
#
#   tools/tour.sh EXAMPLES_DIR [CH]
#
# A chapter's title is the first `# ` line of its README.md; a program's
# heading is its first line without the leading `// `. Programs of a chapter
# run in alphabetical order. A program that fails is reported and the tour
# goes on; the tour then fails.
#
# Piped (`make run | less`), a program's stdout would be block-buffered and
# appear all at once at its end: each runs under `stdbuf -oL` where there is
# one, so every line arrives as it is printed.
set -u
[ $# -ge 1 ] || { echo "usage: tools/tour.sh EXAMPLES_DIR [CH]" >&2; exit 2; }
examples=$1
only=
if [ -n "${2-}" ]; then
    only=$(printf '%s\n' "$2" | awk '/^[0-9]+$/ && $0 + 0 >= 1 && $0 + 0 <= 99 { printf "%02d", $0 }')
    [ -n "$only" ] || { echo "make run: CH=$2 is not a chapter number" >&2; exit 2; }
fi
cd "$(dirname "$0")/.."

rule=$(printf '%72s' '' | tr ' ' '=')
linebuf=
command -v stdbuf >/dev/null 2>&1 && linebuf='stdbuf -oL'
began=$(date +%s)
failed=0
ran=0
for dir in chapters/[0-9][0-9]-*; do
    [ -d "$dir" ] || continue
    slug=${dir#chapters/}
    nn=${slug%%-*}
    [ -z "$only" ] || [ "$nn" = "$only" ] || continue
    title=
    [ -f "$dir/README.md" ] && title=$(awk '/^# / { sub(/^# +/, ""); print; exit }' "$dir/README.md")
    printf '\n%s\n  Chapter %s: %s\n%s\n' "$rule" "$nn" "${title:-$slug}" "$rule"
    for src in "$dir"/*.cpp; do
        [ -f "$src" ] || continue
        name=$(basename "$src" .cpp)
        heading=$(awk 'NR == 1 { sub(/^\/\/ ?/, ""); print; exit }' "$src")
        clock=
        grep -q 'ClockKind::Virtual' "$src" && clock='  [virtual clock: its seconds pass at once]'
        printf '\n-- %s  (%s)%s\n\n' "$heading" "$slug/$name" "$clock"
        ran=$((ran + 1))
        # shellcheck disable=SC2086 # $linebuf is empty or two words
        if ! $linebuf "$examples/$slug/$name"; then
            echo ">>> $slug/$name failed (exit status $?)"
            failed=$((failed + 1))
        fi
    done
done
if [ -n "$only" ] && [ "$ran" -eq 0 ] && ! ls -d chapters/"$only"-* >/dev/null 2>&1; then
    echo "make run: there is no chapter $only" >&2
    exit 2
fi
echo
if [ "$failed" -gt 0 ]; then
    echo "tour: $failed of $ran program(s) failed"
    exit 1
fi
echo "tour: $ran program(s) ran in $(($(date +%s) - began)) s"
