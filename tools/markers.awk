# tools/markers.awk: the chapter markers, as functions shared by
# tools/snapshot.awk (cut a chapter's tree) and tools/quotes.awk (check the
# code a chapter quotes).
#
# Which chapter a file belongs to:
#   - src/** and tests/**: the chapter named in its first 5 lines, `// @chapter 04`
#     (`# @chapter 04` in .sh, .py and .mk files); a file without it is an error.
#   - chapters/NN-slug/**: chapter NN.
#   - anything else (Makefile, tools/, .ci/, top-level files): chapter 01,
#     copied as it is.
#
# Lines that arrive or leave in a later chapter (src, tests and the programs
# of chapters; `#` instead of `//` in .sh and .mk files). The finished src
# must compile, so code that leaves in a later chapter is kept commented:
#   // @since 05              the lines up to the next `// @end` exist from chapter 05 on
#   // @before 09             the lines up to the next `// @end` exist before chapter 09
#   // old code;              only: each is written commented, `<indent>// code`, and
#   // @end                   the snapshot uncomments it (a bare `//`: an empty line)
#   code;  // @since 05       this one line, same rule; a note may follow a colon
#   code;  // @since 05: why  (it goes with the marker)
#   // @before 05: old code;  before chapter 05 this line reads `old code;`
#                             (same indentation); from 05 on it is gone
# Marker lines are dropped, trailing markers are cut from the lines they end,
# leading whitespace is allowed, blocks do not nest, numbers are two digits.

function mk_kind(path) {
    if (path ~ /^(src|tests)\//)
        return "resolve"
    if (path ~ /^chapters\/[0-9][0-9]-[^\/]+\//)
        return (path ~ /\.(cpp|hpp|h|cc|sh)$/) ? "resolve" : "verbatim"
    return "verbatim"
}

function mk_comment(path) {
    return (path ~ /(\.sh|\.py|\.mk|(^|\/)Makefile)$/) ? "#" : "//"
}

function mk_error(path, line, msg) {
    printf "%s:%d: %s\n", path, line, msg > "/dev/stderr"
    mk_errors++
}

function mk_warning(path, line, msg) {
    if (mk_warnings)
        printf "%s:%d: warning: %s\n", path, line, msg > "/dev/stderr"
}

function mk_valid_number(s) {
    return s ~ /^[0-9][0-9]$/ && s != "00"
}

# The chapter of a file whose lines are L[1..n]; 0 after reporting an error.
function mk_chapter(path, L, n,    i, last, s) {
    if (path ~ /^chapters\/[0-9][0-9]-/)
        return substr(path, 10, 2) + 0
    if (path !~ /^(src|tests)\//)
        return 1
    last = n < 5 ? n : 5
    for (i = 1; i <= last; i++) {
        if (match(L[i], /@chapter([ \t]+[^ \t]*)?/)) {
            s = substr(L[i], RSTART, RLENGTH)
            sub(/^@chapter[ \t]*/, "", s)
            if (!mk_valid_number(s)) {
                mk_error(path, i, "bad chapter number '" s "' after @chapter (write two digits, 01 to 99)")
                return 0
            }
            return s + 0
        }
    }
    mk_error(path, 1, "no '" mk_comment(path) " @chapter NN' line in the first 5 lines: name the chapter that introduces this file")
    return 0
}

# Does a line under marker `kw num` exist in chapter N?
function mk_keeps(kw, num, N) {
    return kw == "since" ? N >= num + 0 : N < num + 0
}

# Checks a marker `kw num` found at path:i in a file of chapter ch; 1 if usable.
function mk_check(path, i, kw, num, ch, c) {
    if (!mk_valid_number(num)) {
        mk_error(path, i, "bad chapter number '" num "' in '" c " @" kw "' (write two digits, 01 to 99)")
        return 0
    }
    if (ch && kw == "since" && num + 0 <= ch)
        mk_warning(path, i, "'" c " @since " num "' has no effect: the file itself arrives in chapter " sprintf("%02d", ch))
    if (ch && kw == "before" && num + 0 <= ch)
        mk_warning(path, i, "'" c " @before " num "': these lines are in no chapter's snapshot (the file arrives in chapter " sprintf("%02d", ch) ")")
    return 1
}

# A line inside a `@before` block is old code, kept commented in src (the
# finished runtime must compile): `<indent>// code` reads `<indent>code`, and
# a bare `//` an empty line. Anything else is an error.
function mk_uncomment(path, i, line, c,    indent) {
    match(line, "^[ \t]*")
    indent = substr(line, 1, RLENGTH)
    if (substr(line, RLENGTH + 1) == c)
        return ""
    if (substr(line, RLENGTH + 1, length(c) + 1) == c " ")
        return indent substr(line, RLENGTH + length(c) + 2)
    mk_error(path, i, "a line inside a '" c " @before' block is old code and must stay commented in src: start it with '" c " '")
    return line
}

# Appends line to O[1..m] and returns the new m. A blank line right after
# another is dropped: a block that leaves a snapshot leaves no gap behind.
function mk_emit(O, m, line) {
    if (line == "" && m > 0 && O[m] == "")
        return m
    O[++m] = line
    return m
}

# Parses the markers of L[1..n] (the file `path`, of chapter ch) once, for
# every chapter, reporting each error on stderr as path:line: message. Line i
# becomes, in global arrays indexed by i:
#   MK_text[i]   what the line reads in a snapshot that keeps it (markers cut,
#                old code uncommented); MK_drop[i] is 1 for a marker line or
#                a malformed one, which no snapshot keeps
#   MK_kw[i], MK_num[i]    its own marker (`since` or `before`), or ""
#   MK_bkw[i], MK_bnum[i]  the block it is in, or ""
function mk_parse(path, L, n, ch, c,    i, line, t, rest, kw, num, code, indent, inblock, bline, bkw, bnum) {
    split("", MK_text)
    split("", MK_drop)
    split("", MK_kw)
    split("", MK_num)
    split("", MK_bkw)
    split("", MK_bnum)
    inblock = 0
    for (i = 1; i <= n; i++) {
        line = L[i]
        MK_drop[i] = 1
        MK_kw[i] = MK_num[i] = ""
        MK_bkw[i] = inblock ? bkw : ""
        MK_bnum[i] = inblock ? bnum : ""
        if (index(line, "@") == 0 || line !~ (c "[ \t]*@(since|before|end)")) {
            if (inblock && bkw == "before")
                line = mk_uncomment(path, i, line, c)
            MK_drop[i] = 0
            MK_text[i] = line
            continue
        }
        t = line
        sub(/[ \t]+$/, "", t)
        if (t ~ ("^[ \t]*" c " @end$")) {
            if (!inblock)
                mk_error(path, i, "'" c " @end' without an opening '" c " @since NN' or '" c " @before NN'")
            inblock = 0
            continue
        }
        # `// @before 05: old code`: the line as it reads before chapter 05.
        if (t ~ ("^[ \t]*" c " @(since|before)[ \t]+[^ \t:]*:")) {
            match(t, "^[ \t]*")
            indent = substr(t, 1, RLENGTH)
            rest = substr(t, RLENGTH + length(c) + 3)
            kw = rest
            sub(/[ \t].*$/, "", kw)
            num = rest
            sub(/^[a-z]+[ \t]+/, "", num)
            sub(/:.*$/, "", num)
            code = rest
            sub(/^[^:]*:[ ]?/, "", code)
            if (kw == "since") {
                mk_error(path, i, "'" c " @since " num ": ...' alone on a line: write the code itself, followed by '" c " @since " num "'")
                continue
            }
            if (!mk_check(path, i, kw, num, ch, c))
                continue
            MK_drop[i] = 0
            MK_text[i] = code == "" ? "" : indent code
            MK_kw[i] = kw
            MK_num[i] = num
            continue
        }
        if (t ~ ("^[ \t]*" c " @(since|before)([ \t]|$)")) {
            rest = t
            sub("^[ \t]*" c " @", "", rest)
            kw = rest
            sub(/[ \t].*$/, "", kw)
            num = rest
            sub(/^[a-z]+[ \t]*/, "", num)
            if (inblock) {
                mk_error(path, i, "blocks do not nest: the '" c " @" bkw " " bnum "' block opened at line " bline " is still open (close it with '" c " @end')")
                continue
            }
            if (!mk_check(path, i, kw, num, ch, c))
                continue
            inblock = 1
            bkw = kw
            bnum = num
            bline = i
            continue
        }
        # `code;  // @since 05` or `code;  // @since 05: why`: one line.
        if (match(t, c " @(since|before)[ \t]+[^ \t:]+(:.*)?$") && substr(t, 1, RSTART - 1) ~ /[^ \t]/) {
            rest = substr(t, RSTART + length(c) + 2)
            kw = rest
            sub(/[ \t].*$/, "", kw)
            num = rest
            sub(/^[a-z]+[ \t]+/, "", num)
            sub(/:.*$/, "", num)
            t = substr(t, 1, RSTART - 1)
            sub(/[ \t]+$/, "", t)
            if (kw == "before") {
                mk_error(path, i, "'code  " c " @before " num "': code that leaves in a later chapter is not in the finished src, so keep it commented: '" c " @before " num ": code'")
                continue
            }
            if (!mk_check(path, i, kw, num, ch, c))
                continue
            MK_drop[i] = 0
            MK_text[i] = t
            MK_kw[i] = kw
            MK_num[i] = num
            continue
        }
        mk_error(path, i, "malformed marker: write '" c " @since NN', '" c " @before NN' or '" c " @end' alone on a line, 'code  " c " @since NN' at the end of one, or '" c " @before NN: old code'")
    }
    if (inblock)
        mk_error(path, bline, "the '" c " @" bkw " " bnum "' block is never closed (add a line '" c " @end')")
}

# Writes into O[1..m] the lines mk_parse kept that exist in chapter N (their
# own marker and their block's both let them in); returns m.
function mk_apply(n, N, O,    i, m) {
    m = 0
    for (i = 1; i <= n; i++) {
        if (MK_drop[i])
            continue
        if (MK_kw[i] != "" && !mk_keeps(MK_kw[i], MK_num[i], N))
            continue
        if (MK_bkw[i] != "" && !mk_keeps(MK_bkw[i], MK_bnum[i], N))
            continue
        m = mk_emit(O, m, MK_text[i])
    }
    return m
}

# Resolves the markers of L[1..n] (the file `path`) for chapter N into
# O[1..m] and returns m; returns -1 when the file is not part of chapter N,
# -2 when it has errors (reported on stderr as path:line: message). Every
# file is checked, also one that chapter N leaves out.
function mk_resolve(path, L, n, N, O,    errors0, ch, i) {
    errors0 = mk_errors
    ch = mk_chapter(path, L, n)
    if (mk_kind(path) == "verbatim") {
        if (ch > N)
            return -1
        for (i = 1; i <= n; i++)
            O[i] = L[i]
        return n
    }
    mk_parse(path, L, n, ch, mk_comment(path))
    if (mk_errors > errors0 || ch == 0)
        return -2
    if (ch > N)
        return -1
    return mk_apply(n, N, O)
}

# Reads the file `path` into L[1..]; returns the line count, -1 if unreadable.
function mk_read(path, L,    n, line, r) {
    n = 0
    while ((r = (getline line < path)) > 0)
        L[++n] = line
    close(path)
    return r < 0 ? -1 : n
}
