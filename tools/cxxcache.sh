#!/bin/sh
# A small object cache for `make test-chapters`, where most files compile to
# the same object in every snapshot.
#
#   CORIO_OBJ_CACHE=dir tools/cxxcache.sh OBJ SRC CXX FLAGS...
#
# does what `CXX FLAGS -MMD -MP -c SRC -o OBJ` does. The key is the
# preprocessed source plus the flags that matter after preprocessing (-D and
# -I are already in the preprocessed text), so a file whose headers or
# markers changed is compiled again. A miss compiles the original source, so
# warnings are exactly those of a plain build.
set -eu
obj=$1
src=$2
shift 2
cache=${CORIO_OBJ_CACHE:?CORIO_OBJ_CACHE is not set}
dep=${obj%.o}.d

if command -v md5sum >/dev/null 2>&1; then hash=md5sum; else hash=cksum; fi
# An object with debug information holds line numbers: then the key keeps
# the preprocessor's line markers, so a line moved by an edit misses. Without
# it (-g0, or no -g), only the code counts and the key drops them (-P).
lines=-P
for arg in "$@"; do
    case $arg in -g0) lines=-P ;; -g*) lines= ;; esac
done
# The key of the source as it preprocesses now.
key_now() {
    "$@" -E $lines -MMD -MP -MF "$dep" -MT "$obj" "$src" -o "$obj.ii"
    {
        for arg in "$@"; do
            case $arg in -D* | -I*) ;; *) printf '%s\n' "$arg" ;; esac
        done
        cat "$obj.ii"
    } | $hash | awk '{ print ($2 == "-" ? $1 : $1 "-" $2) }'
    rm -f "$obj.ii"
}
key=$(key_now "$@")
if [ -f "$cache/$key.o" ]; then
    cp "$cache/$key.o" "$obj"
    exit 0
fi
"$@" -MMD -MP -c "$src" -o "$obj"
# A header edited while this compiled (a merge under a running build) would
# file an object under a key it does not match: store it only when the
# source still preprocesses to the key it was looked up with.
[ "$(key_now "$@")" = "$key" ] || exit 0
mkdir -p "$cache"
cp "$obj" "$cache/$key.o.$$" && mv "$cache/$key.o.$$" "$cache/$key.o"
