# tools/snapshot.awk: used by tools/snapshot.sh. Reads relative paths, one a
# line, and writes each file as chapter N sees it to out/path (out "-":
# standard output). Needs tools/markers.awk. Exit status: 0, or 1 when a
# file had marker errors (all of them are reported first).
BEGIN {
    N += 0
    mk_warnings = warnings + 0
    status = 0
}
{
    path = $0
    delete L
    delete O
    n = mk_read(path, L)
    if (n < 0) {
        print path ": cannot read" > "/dev/stderr"
        status = 1
        next
    }
    m = mk_resolve(path, L, n, N, O)
    if (m == -1 && out == "-") {
        print path ": not part of chapter " sprintf("%02d", N) > "/dev/stderr"
        status = 1
    }
    if (m == -2)
        status = 1
    if (m < 0 || status)
        next
    dest = out == "-" ? "/dev/stdout" : out "/" path
    for (i = 1; i <= m; i++)
        print O[i] > dest
    if (m == 0)
        printf "" > dest
    close(dest)
    if (out != "-")
        print path > (out "/.files")
}
END {
    exit status
}
