#!/bin/sh
# Checks that every guide tag used by a test ([E01]..[E18], [C01]..[C05])
# has its entry in docs/guide.md, and that every entry the page says is
# reproduced (it names a test with its tag) has at least one tagged test.
set -eu
cd "$(dirname "$0")/.."
status=0
used=$(grep -rhoE '\[[EC][0-9][0-9]\]' tests | tr -d '[]' | sort -u)
for id in $used; do
    grep -q "^\*\*$id - " docs/guide.md || {
        echo "guide: tests use the tag [$id], which docs/guide.md does not list" >&2
        status=1
    }
done
claimed=$(grep -oE '`\[[EC][0-9][0-9]\]`' docs/guide.md | tr -d '`[]' | sort -u)
for id in $claimed; do
    printf '%s\n' $used | grep -qx "$id" || {
        echo "guide: docs/guide.md names a test tagged [$id], but no test carries that tag" >&2
        status=1
    }
done
[ $status -eq 0 ] && echo "guide: $(printf '%s\n' $used | wc -l) tags resolve in docs/guide.md"
exit $status
