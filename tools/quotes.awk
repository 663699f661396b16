# tools/quotes.awk: checks the code that markdown files quote (run by
# tools/quotes.sh; needs tools/markers.awk).
#
# A quote is an HTML comment naming a file, on the line right before a
# fenced code block:
#
#   <!-- quote src/corio/loop/loop.hpp -->
#   ```cpp
#   void run_forever();
#   // ...
#   void stop();
#   ```
#
# The block's lines must appear as one run of consecutive lines in that file
# as the README's chapter has it (chapters/NN-slug/README.md: snapshot NN;
# any other markdown file: the last chapter, -v last=NN). A line that is
# exactly `// ...` (indentation allowed) splits the quote into pieces; each
# piece must appear as a run, the pieces in order. Trailing blanks are
# ignored; indentation is not.
#
# A diagram is a plain-text picture that names code: an HTML comment listing
# files, on the line right before its fenced block:
#
#   <!-- diagram src/corio/loop/loop.cpp src/corio/loop/loop.hpp -->
#   ```
#    1 poll_timeout()   ...   ready_ ...
#   ```
#
# Every name in the block that is called (followed by `(`) or ends in `_`
# (a member) must appear, as a whole word, in one of those files as the
# README's chapter has them: a renamed function or field fails the check.

BEGIN {
    last += 0
    quotes = 0
    failures = 0
    diagrams = 0
    # 0: text, 1: after a quote comment, 2: in a quote's block, 3: in another block,
    # 4: after a diagram comment, 5: in a diagram's block
    state = 0
}

function strip(s) {
    sub(/[ \t\r]+$/, "", s)
    return s
}

function is_separator(s) {
    return s ~ /^[ \t]*\/\/ \.\.\.[ \t]*$/
}

function report(line, msg) {
    printf "%s:%d: %s\n", file, line, msg
    failures++
}

function end_of_file() {
    if (state == 1)
        report(qline, "<!-- quote " qpath " --> is not followed by a fenced code block")
    if (state == 2)
        report(qline, "the code block quoting " qpath " is never closed")
    if (state == 4)
        report(qline, "<!-- diagram " dpaths " --> is not followed by a fenced block")
    if (state == 5)
        report(qline, "the diagram naming " dpaths " is never closed")
    state = 0
}

# True when word w appears as a whole word in file key (as loaded).
function has_word(key, w,    i, line, at, before, after) {
    for (i = 1; i <= FN[key]; i++) {
        line = F[key, i]
        while ((at = index(line, w)) > 0) {
            before = at > 1 ? substr(line, at - 1, 1) : " "
            after = substr(line, at + length(w), 1)
            if (before !~ /[A-Za-z0-9_]/ && after !~ /[A-Za-z0-9_]/)
                return 1
            line = substr(line, at + length(w))
        }
    }
    return 0
}

function check_diagram(    np, P, k, key, i, line, w, rest, seen, found, where) {
    diagrams++
    where = sprintf("chapter %02d", chapter)
    np = split(dpaths, P, /[ \t]+/)
    for (k = 1; k <= np; k++) {
        key = chapter SUBSEP P[k]
        if (!(key in FN))
            load(key, P[k], chapter)
        if (FN[key] < 0)
            return report(qline, "the diagram names " P[k] ", which " where " does not have (or whose markers have errors)")
    }
    split("", seen)
    for (i = 1; i <= nq; i++) {
        rest = Q[i]
        while (match(rest, /[A-Za-z_][A-Za-z0-9_]*/)) {
            w = substr(rest, RSTART, RLENGTH)
            rest = substr(rest, RSTART + RLENGTH)
            if (!(w ~ /_$/ || substr(rest, 1, 1) == "(") || (w in seen))
                continue
            seen[w] = 1
            found = 0
            for (k = 1; k <= np && !found; k++)
                found = has_word(chapter SUBSEP P[k], w)
            if (!found)
                report(QL[i], "the diagram names " w ", which none of " dpaths " has (" where ")")
        }
    }
}

# Loads qpath as chapter `chapter` has it into F[key, 1..]; FN[key] is the
# line count, or negative when the file cannot be quoted there.
function load(key, path, chapter,    L, O, n, m, i) {
    n = mk_read(path, L)
    if (n < 0) {
        FN[key] = -1
        return
    }
    m = mk_resolve(path, L, n, chapter, O)
    FN[key] = m < 0 ? m - 1 : m
    for (i = 1; i <= m; i++)
        F[key, i] = strip(O[i])
}

function check(    key, n, i, s, e, j, k, pos, found, best, where) {
    quotes++
    key = chapter SUBSEP qpath
    if (!(key in FN))
        load(key, qpath, chapter)
    n = FN[key]
    where = sprintf("chapter %02d", chapter)
    if (n == -1)
        return report(qline, "quotes " qpath ", which does not exist")
    if (n == -2)
        return report(qline, "quotes " qpath ", which " where " does not have yet")
    if (n < 0)
        return report(qline, "quotes " qpath ", whose markers have errors (above)")
    if (nq == 0)
        return report(qline, "the quote of " qpath " is empty")
    pos = 1
    i = 1
    while (i <= nq) {
        if (is_separator(Q[i])) {
            i++
            continue
        }
        s = i
        while (i <= nq && !is_separator(Q[i]))
            i++
        e = i - 1
        found = 0
        best = 0
        for (j = pos; j <= n && !found; j++) {
            for (k = 0; s + k <= e && j + k <= n && Q[s + k] == F[key, j + k]; k++)
                ;
            if (s + k > e)
                found = j
            else if (k > best)
                best = k
        }
        if (!found) {
            report(qline, "quote of " qpath " (" where ") differs from the code")
            printf "  first line not found%s (line %d):\n  %s\n", (pos > 1 ? " after the previous piece" : ""), QL[s + best], Q[s + best]
            return
        }
        pos = found + e - s + 1
    }
}

FNR == 1 {
    end_of_file()
    file = FILENAME
    chapter = FILENAME ~ /^chapters\/[0-9][0-9]-[^\/]+\/README\.md$/ ? substr(FILENAME, 10, 2) + 0 : last
}

# A fenced block that is not a quote (it may show the quote syntax itself).
state == 0 && /^[ \t]*(```|~~~)/ {
    fence = $0
    sub(/^[ \t]*/, "", fence)
    match(fence, /^(`+|~+)/)
    fence = substr(fence, 1, RLENGTH)
    state = 3
    next
}

state == 3 {
    t = $0
    sub(/^[ \t]*/, "", t)
    if (index(t, fence) == 1 && substr(t, length(fence) + 1) ~ /^[`~]*[ \t]*$/ && substr(t, 1, 1) == substr(fence, 1, 1))
        state = 0
    next
}

state == 0 && /^[ \t]*<!--[ \t]*quote[ \t]/ {
    qline = FNR
    qpath = $0
    sub(/^[ \t]*<!--[ \t]*quote[ \t]+/, "", qpath)
    if (qpath !~ /^[^ \t]+[ \t]*-->[ \t]*$/) {
        report(FNR, "write a quote comment as <!-- quote path/to/file -->")
        next
    }
    sub(/[ \t]*-->[ \t]*$/, "", qpath)
    state = 1
    next
}

state == 0 && /^[ \t]*<!--[ \t]*diagram[ \t]/ {
    qline = FNR
    dpaths = $0
    sub(/^[ \t]*<!--[ \t]*diagram[ \t]+/, "", dpaths)
    if (dpaths !~ /-->[ \t]*$/) {
        report(FNR, "write a diagram comment as <!-- diagram path/to/file [more files] -->")
        next
    }
    sub(/[ \t]*-->[ \t]*$/, "", dpaths)
    state = 4
    next
}

state == 4 {
    if ($0 ~ /^[ \t]*```/) {
        state = 5
        nq = 0
    } else {
        end_of_file()
    }
    next
}

state == 5 {
    if ($0 ~ /^[ \t]*```[ \t]*$/) {
        check_diagram()
        state = 0
    } else {
        Q[++nq] = $0
        QL[nq] = FNR
    }
    next
}

state == 1 {
    if ($0 ~ /^[ \t]*```/) {
        state = 2
        nq = 0
    } else {
        end_of_file()
    }
    next
}

state == 2 {
    if ($0 ~ /^[ \t]*```[ \t]*$/) {
        check()
        state = 0
    } else {
        Q[++nq] = strip($0)
        QL[nq] = FNR
    }
    next
}

END {
    end_of_file()
    if (failures)
        printf "quotes: %d problem(s) in %d quote(s) and %d diagram(s)\n", failures, quotes, diagrams
    else
        printf "quotes: %d quote(s) and %d diagram(s) match their chapter's code\n", quotes, diagrams
    exit failures > 0
}
