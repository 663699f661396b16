#!/bin/sh
# Makes sure Catch2 v2 (<catch2/catch.hpp>, Debian package catch2) is there
# before the tests are built; installs it with apt-get when it is not and
# this user may (root, or passwordless sudo). Run by `make test`.
header=/usr/include/catch2/catch.hpp
cxx=${CXX:-g++}

have_catch2() {
    [ -f "$header" ] ||
        printf '#include <catch2/catch.hpp>\n' | "$cxx" -std=c++20 -E -x c++ - >/dev/null 2>&1
}

cannot() {
    echo "Catch2 v2 not found and cannot be installed here: install Debian package catch2 (apt-get install catch2) and rerun make test" >&2
    exit 1
}

have_catch2 && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root="sudo -n"
else
    cannot
fi
command -v apt-get >/dev/null 2>&1 || cannot

echo "Catch2 v2 is missing: installing Debian package catch2 with apt-get"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || cannot
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq catch2 || cannot
have_catch2 || cannot
