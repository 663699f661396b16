#!/bin/sh
# How much of the book's history src/ carries (run by `make test`). Counts,
# over src/:
#   markers    lines that carry `// @since NN`, `// @before NN` or `// @end`
#              (alone or trailing code);
#   old code   lines of code a later chapter removed, kept commented: each
#              `// @before NN: code` one-liner, and each line inside a
#              `// @before NN` ... `// @end` block.
# Fails when old code exceeds MAX_OLD (25), or when a marker sits inside a
# member-initialiser list or an expression: a marker line right after a line
# that ends in `,`, `(`, `:`, `?`, `&&`, `||` or an operator, or a line
# whose code ends that way and carries a trailing marker. (Blocks inside an
# initialiser list cannot be cut by a snapshot without leaving a reader to
# stitch the pieces; a constructor body or a default member initialiser can.)
#
#   tools/history.sh          prints the counts, fails above the limit
set -eu
cd "$(dirname "$0")/.."
max_old=${MAX_OLD:-25}

# shellcheck disable=SC2046 # the file names have no spaces
awk -v max_old="$max_old" '
    FNR == 1 { inblock = 0; prev = "" }
    {
        line = $0
        is_marker = line ~ /\/\/ @(since|before|end)([ \t:]|$)/
        alone = line ~ /^[ \t]*\/\/ @(since|before|end)([ \t:]|$)/
        if (is_marker)
            markers++
        if (inblock) {
            if (line ~ /^[ \t]*\/\/ @end[ \t]*$/) {
                inblock = 0
            } else {
                old++
                listing = listing sprintf("  %s:%d: %s\n", FILENAME, FNR, line)
            }
        } else if (line ~ /^[ \t]*\/\/ @before [0-9][0-9][ \t]*$/) {
            inblock = 1
        } else if (line ~ /^[ \t]*\/\/ @before [0-9][0-9]:/) {
            old++
            listing = listing sprintf("  %s:%d: %s\n", FILENAME, FNR, line)
        }
        if (is_marker) {
            code = alone ? prev : line
            if (!alone)
                sub(/[ \t]*\/\/ @(since|before|end).*$/, "", code)
            if (code ~ /(,|\(|[^:]:|\?|&&|\|\||[-+*\/%=|&^])[ \t]*$/ && code !~ /^[ \t]*\/\// &&
                code !~ /^[ \t]*(public|private|protected)[ \t]*:[ \t]*$/ && code !~ /^[ \t]*(case .*|default)[ \t]*:[ \t]*$/) {
                inside = inside sprintf("  %s:%d: %s\n", FILENAME, FNR, line)
                bad++
            }
        }
        # The code line a following marker line continues (comments and
        # marker lines skipped).
        if (!is_marker && line !~ /^[ \t]*\/\// && line !~ /^[ \t]*$/) {
            prev = line
            sub(/[ \t]*\/\/.*$/, "", prev)
        }
    }
    END {
        printf "history: %d marker lines, %d lines of old code in src/ (at most %d)\n", markers, old, max_old
        status = 0
        if (old > max_old) {
            printf "history: too much old code in src/: give early chapters the shape later ones extend\n%s", listing
            status = 1
        }
        if (bad > 0) {
            printf "history: %d marker(s) inside an initialiser list or an expression:\n%s", bad, inside
            status = 1
        }
        exit status
    }' $(find src -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) | LC_ALL=C sort)
