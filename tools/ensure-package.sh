#!/bin/sh
# Makes sure something the tests need is there before they run, and
# installs its Debian package with apt-get when it is missing and this user
# may (root, or passwordless sudo). Run by `make test`:
#   sh tools/ensure-package.sh WHAT PACKAGE
# WHAT is what to look for:
#   catch2   Catch2 v2's header, <catch2/catch.hpp> (the tests are built on it)
#   python3  python3 3.8 or later (chapter 12's peers are Python asyncio
#            programs); a tree without tests/peers/*.py needs none
#   curl     curl (chapter 13's server is tested with it); a tree without
#            tests/http_peers_test.cpp needs none
#   any other word: a command of that name in PATH
# A test that needs one of these must run, never be skipped: when it cannot
# be installed, this says what to install and fails.
what=$1
package=$2
if [ -z "$what" ] || [ -z "$package" ]; then
    echo "usage: sh tools/ensure-package.sh WHAT PACKAGE (e.g. curl curl)" >&2
    exit 2
fi
cd "$(dirname "$0")/.." || exit 1
cxx=${CXX:-g++}

case $what in
catch2)
    why="the tests are built on Catch2 v2"
    have() {
        [ -f /usr/include/catch2/catch.hpp ] ||
            printf '#include <catch2/catch.hpp>\n' | "$cxx" -std=c++20 -E -x c++ - >/dev/null 2>&1
    } ;;
python3)
    ls tests/peers/*.py >/dev/null 2>&1 || exit 0
    why="chapter 12's tests run Python asyncio peers (3.8 or later)"
    have() { python3 -c 'import asyncio, sys; sys.exit(sys.version_info < (3, 8))' >/dev/null 2>&1; } ;;
curl)
    [ -f tests/http_peers_test.cpp ] || exit 0
    why="chapter 13's tests ask corio's HTTP server with curl"
    have() { command -v curl >/dev/null 2>&1; } ;;
*)
    why="the tests run $what"
    have() { command -v "$what" >/dev/null 2>&1; } ;;
esac

cannot() {
    echo "$what not found and cannot be installed here: install Debian package $package (apt-get install $package) and rerun make test; $why" >&2
    exit 1
}

have && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root="sudo -n"
else
    cannot
fi
command -v apt-get >/dev/null 2>&1 || cannot

echo "$what is missing: installing Debian package $package with apt-get"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || cannot
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" || cannot
have || cannot
