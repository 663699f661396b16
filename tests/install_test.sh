#!/bin/sh
# @chapter 01
# The engineer's path: `make install` into a temporary prefix, then build
# README.md's example ("corio as a library") outside the tree with nothing
# but `pkg-config --cflags --libs corio`, and run it. Run by `make test`; prints one PASS line.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX:-g++}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/corio-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
    echo "FAIL install test: $*" >&2
    exit 1
}

# A make of its own, not the jobserver of the make that may have called us.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make -C "$root" --no-print-directory install PREFIX="$tmp/prefix" CXX="$cxx" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "make install PREFIX=$tmp/prefix failed"; }
for f in include/corio/corio.hpp lib/libcorio.a lib/pkgconfig/corio.pc; do
    [ -f "$tmp/prefix/$f" ] || fail "make install did not write $f"
done
# The installed headers are the last chapter's: no chapter marker, no old code.
left=$(grep -rlE '(//|#) *@(since|before|end)([ :]|$)' "$tmp/prefix/include" || true)
[ -z "$left" ] || fail "installed headers still carry chapter markers: $left"

# The program is README.md's example: the code block after its
# "<!-- example: tests/install_test.sh ... -->" line, exactly as printed there.
mkdir "$tmp/app"
awk '/^<!-- example: tests\/install_test\.sh / { want = 1; next }
     want && /^```cpp/ { on = 1; next }
     on && /^```/ { exit }
     on { print }' "$root/README.md" >"$tmp/app/squares.cpp"
[ -s "$tmp/app/squares.cpp" ] || fail "README.md has no example block after <!-- example: tests/install_test.sh ... -->"

export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
if command -v pkg-config >/dev/null 2>&1; then
    flags=$(pkg-config --cflags --libs corio) || fail "pkg-config does not find corio.pc"
else
    # No pkg-config here: read the two lines it would print from corio.pc.
    flags=$(awk -F': ' '
        /^[a-z]+=/ { split($0, kv, "="); var[kv[1]] = substr($0, length(kv[1]) + 2) }
        $1 == "Cflags" || $1 == "Libs" {
            s = $2
            for (k in var) gsub("\\$\\{" k "\\}", var[k], s)
            gsub("\\$\\{prefix\\}", var["prefix"], s)
            out = out " " s
        }
        END { print out }' "$tmp/prefix/lib/pkgconfig/corio.pc")
fi

cd "$tmp/app"
# shellcheck disable=SC2086 # the flags are words
"$cxx" -O2 -o squares squares.cpp $flags || fail "cannot build README.md's example against the installed corio ($cxx squares.cpp $flags)"
out=$(./squares) || fail "README.md's example, built against the installed corio, failed"
[ "$out" = 25 ] || fail "README.md's example should print 25 (its comment says so); it printed '$out'"
echo "PASS install: headers without chapter markers, libcorio.a and corio.pc build README.md's example outside the tree"
