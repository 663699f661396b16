#!/bin/sh
# Makes sure python3 is there before the tests run: chapter 12's tests talk
# to real peers written with Python's asyncio (tests/peers/*.py), and a test
# that needs one must run, never be skipped. Installs Debian package python3
# with apt-get when it is missing and this user may (root, or passwordless
# sudo). A tree without tests/peers/ (the snapshots of chapters 01-11) needs
# no Python. Run by `make test` and `make test-snapshot`.
cd "$(dirname "$0")/.." || exit 1
ls tests/peers/*.py >/dev/null 2>&1 || exit 0

have_python() {
    python3 -c 'import asyncio, sys; sys.exit(sys.version_info < (3, 8))' >/dev/null 2>&1
}

cannot() {
    echo "python3 (3.8 or later) not found and cannot be installed here: install Debian package python3 (apt-get install python3) and rerun make test; chapter 12's tests run Python asyncio peers" >&2
    exit 1
}

have_python && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root="sudo -n"
else
    cannot
fi
command -v apt-get >/dev/null 2>&1 || cannot

echo "python3 is missing: installing Debian package python3 with apt-get"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || cannot
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 || cannot
have_python || cannot
