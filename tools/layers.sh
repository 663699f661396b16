#!/bin/sh
# Checks that includes in src/ point only down the chapter order: a file of
# chapter N includes only files of chapter N or earlier, whatever markers
# (@since, @before) surround the include, in .hpp and .cpp alike. So every
# chapter's runtime builds from its own and earlier chapters' files, and the
# loop core (chapters 01-02) builds without the task layer.
#
# An include names its file relative to src/ (`#include <corio/loop/loop.hpp>` or
# "corio/loop/loop.hpp", in any subfolder of src/corio); a file's chapter is its
# `// @chapter NN` line. The one exception: the umbrella header corio.hpp
# (src/corio/corio.hpp), which includes every chapter's headers by design.
#
# tools/layers.allow lists the upward includes that remain, one a line
# ("including-file included-path  reason"), until the issue that removes
# them does: a listed include passes, an unlisted one fails, and a listed one
# that no longer points up fails too, so the list only shrinks. A listed one
# must stay inside one layer (one folder of src/corio/, e.g. chapter 02's
# clock in chapter 01's loop, both in loop/): between layers no include may
# point up, listed or not.
# Run by `make test`; exits 1 naming each include that points up.
set -eu
cd "$(dirname "$0")/.."

find src -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) | sort | awk -v allow=tools/layers.allow '
function layer_of(path,    rest) {
    rest = path
    sub(/^src\/corio\//, "", rest)
    return (rest ~ /\//) ? substr(rest, 1, index(rest, "/") - 1) : "(top)"
}
function chapter_of(path,    line, n) {
    if (path in chapter) return chapter[path]
    n = ""
    while ((getline line < path) > 0) {
        if (match(line, /@chapter [0-9]+/)) {
            n = substr(line, RSTART + 9, RLENGTH - 9) + 0
            break
        }
    }
    close(path)
    chapter[path] = n
    return n
}
{ files[NR] = $0 }
END {
    bad = 0
    while ((getline line < allow) > 0) {
        if (line ~ /^[ \t]*(#|$)/) continue
        split(line, w, /[ \t]+/)
        allowed[w[1] " " w[2]] = 0
    }
    close(allow)
    for (i = 1; i in files; i++) {
        f = files[i]
        if (f == "src/corio/corio.hpp") continue
        mine = chapter_of(f)
        if (mine == "") {
            printf "layers: %s has no // @chapter NN line\n", f
            bad = 1
            continue
        }
        ln = 0
        while ((getline line < f) > 0) {
            ln++
            if (!match(line, /^[ \t]*#[ \t]*include[ \t]*[<"]corio\/[^>"]+[>"]/)) continue
            inc = substr(line, RSTART, RLENGTH)
            sub(/^[^<"]*[<"]/, "", inc)
            sub(/[>"]$/, "", inc)
            target = "src/" inc
            theirs = chapter_of(target)
            if (theirs == "") {
                printf "layers: %s:%d includes %s, which is not in src/ or has no @chapter line\n", f, ln, inc
                bad = 1
            } else if (theirs > mine && (f " " inc) in allowed && layer_of(f) == layer_of(target)) {
                allowed[f " " inc] = 1
            } else if (theirs > mine && (f " " inc) in allowed) {
                printf "layers: %s:%d (%s/, chapter %02d) includes %s (%s/, chapter %02d): %s may not list an include from one layer up to a later layer\n", f, ln, layer_of(f), mine, inc, layer_of(target), theirs, allow
                allowed[f " " inc] = 1
                bad = 1
            } else if (theirs > mine) {
                printf "layers: %s:%d (chapter %02d) includes %s (chapter %02d): an include may only point to the same or an earlier chapter; move what is needed down, or plug the later chapter in from its own files\n", f, ln, mine, inc, theirs
                bad = 1
            }
        }
        close(f)
    }
    for (k in allowed) {
        if (allowed[k]) continue
        split(k, w, " ")
        printf "layers: %s lists %s including %s, which no longer points up: remove the line\n", allow, w[1], w[2]
        bad = 1
    }
    n = 0
    for (k in allowed) n++
    if (!bad) printf "layers: every include in src/ points to the same or an earlier chapter, but the %d listed in %s, each inside one layer\n", n, allow
    exit bad
}'
