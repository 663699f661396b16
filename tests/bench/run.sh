#!/bin/sh
# @chapter 05
# tests/bench/run.sh - `make bench`: corio and CPython asyncio side by side.
#
# Runs every workload of the benchmark (A, AG, B1, B2, C, CL, D, E, F, OFF, I, J,
# M, G, GS, GP, H, GM; see
# docs/benchmarks.md) several times in corio and in asyncio, one
# fresh process per run; prints the medians, their ratio and the targets, and
# writes the same table to docs/benchmarks.md with the date and the machine.
# Every workload but F runs twice in each process: a cold pass (the first in
# the process) and a warm pass (the same work again); the table shows both,
# and the targets are met or missed by the warm figure.
# Called from the repo root, with the binaries under build/bench/ already built.
#
# The format every benchmark program speaks
# -----------------------------------------
#   build/bench/corio_bench WORKLOAD         (A AG B1 B2 C)
#   build/bench/limit_timers CL              (C's work on the least loop that
#                                             does it, without corio: C's limit)
#   build/bench/corio_bench_sync WORKLOAD    (D E F: Queue, Semaphore, Event)
#   build/bench/corio_bench_net WORKLOAD     (I J M: streams, chapter 12)
#   build/bench/corio_bench_http WORKLOAD    (G GS GP H GM: HTTP, chapter 13)
#   build/bench/corio_bench_conns WORKLOAD   (K KS: connections and the soak, chapter 14)
#   tests/bench/watchers_off.sh OFF          (A and B1 with the trace and the
#                                             timeline off, beside
#                                             build/bench/corio_bench_bare,
#                                             which has them compiled out)
#   build/bench/corio_bench_cores WORKLOAD   (GC: one loop per core, chapter 14)
#   python3 tests/bench/asyncio_bench.py WORKLOAD
# each print exactly one result line on stdout:
#   WORKLOAD key=value key=value ...
# - key: [a-z0-9_]+, its unit in its suffix: _per_s (per second), _ms
#   (milliseconds), _us (microseconds), _kib (KiB), bytes_per_task and bytes_per_conn (bytes),
#   _gib_per_s (GiB per second), _pct (per cent); a cold_ or warm_
#   prefix says which pass the figure is from (A AG B1 B2 C D E: cold_ and warm_
#   of each rate, cold_over_ms and warm_over_ms; C's peak_rss_kib is the
#   whole process's, once);
# - value: a decimal number ("%g" or an integer), no unit, no spaces;
# - lines starting with "# " are notes, shown under the table in the doc;
#   any other line is ignored.
# Exit status: 0 the result was checked and is right; 1 the result is wrong
# (the reason on stderr; shown as FAIL); 2 the program does not know the
# workload (shown as "not built").
# Example: `A cold_tasks_per_s=4.1e+06 warm_tasks_per_s=1.2e+07 cold_ms=48.7 warm_ms=16.6`
#
# Environment:
#   BENCH_RUNS     runs per workload (default 5)
#   BENCH_PY_RUNS  asyncio runs of its slow workloads A B1 C F I J (default 3,
#                  never more than BENCH_RUNS): a run of A, B1, C or I (two
#                  passes) takes tens of seconds
#   BENCH_ONLY     workloads to run, e.g. "A C" (default: all)
#   BENCH_PYTHON   the interpreter (default: /usr/bin/python3 if present -
#                  the distribution's optimised build - else python3 on PATH)
#   BENCH_BIN      where the corio binaries are (default $CORIO_BENCH_DIR,
#                  which make sets, else build/bench)
#   BENCH_DOC      the report written (default docs/benchmarks.md; "" = none)
#   BENCH_TIMEOUT  seconds one run may take before it counts as failed (120)
#   BENCH_LONG_RUNS     runs of the long workloads K and KS, each side (default 1,
#                       never more than BENCH_RUNS): one KS run is a million
#                       requests
#   BENCH_LONG_TIMEOUT  seconds one run of K or KS may take (900)
#   BENCH_PIN      "no": run A to F unpinned (default: pinned, below)
#
# The workloads of one process and one thread, A to F, run pinned to one CPU
# (taskset), corio's runs and asyncio's alike. A pass of E lasts half a
# millisecond, and a move to the other CPU in the middle of one leaves its
# frames' cache lines behind: unpinned, E's runs fell into two groups, one
# a third slower (decision 174). They run one side at a time, each side's
# runs back to back after one whose figures are not kept: the first run of
# a program on a CPU where another program ran reads low (decision 177).

set -u
cd "$(dirname "$0")/../.." || exit 2

RUNS=${BENCH_RUNS:-5}
PY_RUNS=${BENCH_PY_RUNS:-3}
[ "$PY_RUNS" -gt "$RUNS" ] && PY_RUNS=$RUNS
WORKLOADS=${BENCH_ONLY:-"A AG B1 B2 C CL D E F OFF I J M G GS GP H GM GC K KS"}
BIN=${BENCH_BIN:-${CORIO_BENCH_DIR:-build/bench}}
# asyncio's H asks corio's server (corio_bench_http serve) found there.
export BENCH_BIN="$BIN"
DOC=${BENCH_DOC-docs/benchmarks.md}
TIMEOUT=${BENCH_TIMEOUT:-120}
LONG_RUNS=${BENCH_LONG_RUNS:-1}
[ "$LONG_RUNS" -gt "$RUNS" ] && LONG_RUNS=$RUNS
LONG_TIMEOUT=${BENCH_LONG_TIMEOUT:-900}
PY_SCRIPT=tests/bench/asyncio_bench.py

# The CPU the pinned workloads run on: the last one this script may use.
PIN=
if [ "${BENCH_PIN:-yes}" != no ] && command -v taskset >/dev/null 2>&1; then
    PIN_CPU=$(taskset -cp $$ 2>/dev/null | sed 's/.*[:,-] *//')
    [ -n "$PIN_CPU" ] && PIN="taskset -c $PIN_CPU"
fi
pinned() { case $1 in A | AG | B1 | B2 | C | CL | D | E | F) [ -n "$PIN" ] ;; *) return 1 ;; esac; }

if [ -n "${BENCH_PYTHON:-}" ]; then
    PYTHON=$(command -v "$BENCH_PYTHON" || true)
elif [ -x /usr/bin/python3 ]; then
    PYTHON=/usr/bin/python3
else
    PYTHON=$(command -v python3 || true)
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/corio-bench.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

# The table: workload, metric, better when (hi|lo), target, target as shown.
# A target applies to the warm pass; the cold row beside it has none.
ROWS='A  warm_tasks_per_s  hi 28000000  >=_28M/s
A  cold_tasks_per_s  hi -         -
AG warm_tasks_per_s  hi A:0.75    >=_75%_of_A
AG cold_tasks_per_s  hi -         -
B1 warm_yields_per_s hi 100000000 >=_100M/s
B1 cold_yields_per_s hi -         -
B2 warm_yields_per_s hi 150000000 >=_150M/s
B2 cold_yields_per_s hi -         -
C  warm_over_ms      lo 9         <=_9_ms
C  cold_over_ms      lo 14        <=_14_ms
C  peak_rss_kib      lo 24576     <=_24_MiB
CL warm_over_ms      lo -         -
CL cold_over_ms      lo -         -
CL peak_rss_kib      lo -         -
D  warm_items_per_s  hi 180000000 >=_180M/s
D  cold_items_per_s  hi -         -
E  warm_acq_per_s    hi 22000000  >=_22M/s
E  cold_acq_per_s    hi -         -
F  bytes_per_task    lo 176       <=_176_B
OFF a_cost_pct       lo -         -
OFF b1_cost_pct      lo -         -
OFF a_instr_pct      lo 5         <=_5_%
OFF b1_instr_pct     lo 5         <=_5_%
I  warm_rt_per_s     hi 5x        >=_5x_asyncio
I  cold_rt_per_s     hi -         -
I  limit_rt_per_s    hi -         -
I  warm_of_limit_pct hi -         -
J  warm_gib_per_s    hi -         -
J  cold_gib_per_s    hi -         -
J  limit_gib_per_s   hi -         -
J  warm_of_limit_pct hi 80        >=_80%_of_limit
J  send_of_limit_pct hi -         -
J  recv_of_limit_pct hi -         -
M  bytes_per_conn    lo 2048      <=_2_KiB
G  cpu_per_req_us    lo 1.8      <=_1.8_us
G  req_per_s         hi -        -
G  floor_cpu_per_req_us lo -     -
G  floor_req_per_s   hi -        -
GS cpu_per_req_us    lo 1.8      <=_1.8_us
GS req_per_s         hi -        -
GP cpu_per_req_us    lo 1.8      <=_1.8_us
GP req_per_s         hi -        -
H  warm_ms           lo 520      <=_520_ms
H  cold_ms           lo -        -
H  sync_extrapolated_ms lo -     -
H  warm_cpu_per_get_us lo -      -
H  warm_server_cpu_per_get_us lo - -
GM bytes_per_conn    lo 4096     <=_4_KiB
K  time_ms           lo -        -
K  peak_rss_kib      lo -        -
K  bytes_per_conn    lo -        -
K  connections       hi -        -
KS requests          hi 1000000  >=_1M
KS req_per_s         hi -        -
KS rss_growth_kib    lo -        -
KS fd_growth         lo 0        0
GC loops1_req_per_s  hi -        -
GC loops2_req_per_s  hi -        -
GC loops1_cpu_per_req_us lo -    -
GC loops2_cpu_per_req_us lo -    -
GC loops2_loop0_pct  hi -        -'

corio_binary() {
    case $1 in
        OFF) echo tests/bench/watchers_off.sh ;;
        CL) echo "$BIN/limit_timers" ;;
        D | E | F) echo "$BIN/corio_bench_sync" ;;
        I | J | M) echo "$BIN/corio_bench_net" ;;
        G | GS | GP | H | GM) echo "$BIN/corio_bench_http" ;;
        K | KS) echo "$BIN/corio_bench_conns" ;;
        GC) echo "$BIN/corio_bench_cores" ;;
        *) echo "$BIN/corio_bench" ;;
    esac
}

have_timeout=$(command -v timeout || true)
run_limited() {
    if [ -n "$have_timeout" ]; then timeout "$r_timeout" "$@"; else "$@"; fi
}

# record SIDE WORKLOAD CMD...: one run; its values go to $TMP/W.SIDE.KEY, one
# per line, and the first problem seen to $TMP/W.SIDE.status. (POSIX sh has
# no local variables: the r_ prefix keeps these apart from the caller's.)
record() {
    r_side=$1 r_w=$2
    shift 2
    run_limited "$@" >"$TMP/out" 2>"$TMP/err"
    r_rc=$?
    grep '^# ' "$TMP/out" >>"$TMP/notes"
    r_status=
    case $r_rc in
        0) grep -q "^$r_w " "$TMP/out" || r_status="FAIL(no output)" ;;
        1) r_status=FAIL ;;
        2) r_status="not built" ;;
        124) r_status=TIMEOUT ;;
        *) r_status="FAIL(rc=$r_rc)" ;;
    esac
    if [ -n "$r_status" ]; then
        [ -s "$TMP/$r_w.$r_side.status" ] || echo "$r_status" >"$TMP/$r_w.$r_side.status"
        printf '\n  %s %s: %s\n' "$r_side" "$r_w" "$r_status" >&2
        sed 's/^/    /' "$TMP/err" | head -5 >&2
        printf '      ' >&2
        return
    fi
    grep -m1 "^$r_w " "$TMP/out" | tr ' ' '\n' | tail -n +2 | while IFS='=' read -r k v; do
        [ -n "$k" ] && echo "$v" >>"$TMP/$r_w.$r_side.$k"
    done
}

# Workloads that only corio has: asyncio's column shows n/a.
corio_only() { case $1 in CL | OFF | GC | KS) return 0 ;; esac; return 1; }

slow_in_python() { case $1 in A | B1 | C | F | I | J) return 0 ;; esac; return 1; }

# Workloads of minutes: BENCH_LONG_RUNS runs each, BENCH_LONG_TIMEOUT each.
long_workload() { case $1 in K | KS) return 0 ;; esac; return 1; }

# one_run SIDE CMD... WORKLOAD: one recorded run of the loop's workload $w,
# pinned when it is one of A to F; none once the side has failed.
one_run() {
    o_side=$1
    shift
    [ -s "$TMP/$w.$o_side.status" ] && return
    record "$o_side" "$w" $pin "$@"
    if [ "$o_side" = corio ]; then printf 'c' >&2; else printf 'p' >&2; fi
}

# side_runs SIDE N CMD... WORKLOAD: a first run whose figures are not kept
# (printed as "-"), then N recorded runs, one after another.
side_runs() {
    s_side=$1 s_n=$2
    shift 2
    [ -s "$TMP/$w.$s_side.status" ] && return
    run_limited $pin "$@" >/dev/null 2>&1
    printf -- '-' >&2
    s_i=1
    while [ "$s_i" -le "$s_n" ]; do
        one_run "$s_side" "$@"
        s_i=$((s_i + 1))
    done
}

LOAD_NOTE=
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)
if [ -n "$LOAD_START" ] && awk -v l="${LOAD_START%% *}" -v n="$(nproc 2>/dev/null || echo 1)" \
    'BEGIN { exit !(l + 0 > n + 0) }'; then
    LOAD_NOTE=" (above the CPU count: other work shared the CPUs, so the figures are low)"
    echo "corio bench: warning: load average $LOAD_START is above $(nproc) CPUs;" \
        "other work shares the CPUs, so every figure will be low" >&2
fi
echo "corio bench: $RUNS runs per workload (asyncio: $PY_RUNS for A B1 C F I J; both $LONG_RUNS for K KS)," \
    "medians; python: ${PYTHON:-missing}; A-F ${PIN:-unpinned}" >&2
: >"$TMP/notes"
for w in $WORKLOADS; do
    bin=$(corio_binary "$w")
    runs=$RUNS py_runs=$RUNS r_timeout=$TIMEOUT
    slow_in_python "$w" && py_runs=$PY_RUNS
    if long_workload "$w"; then
        runs=$LONG_RUNS py_runs=$LONG_RUNS r_timeout=$LONG_TIMEOUT
    fi
    [ -x "$bin" ] || echo "not built" >"$TMP/$w.corio.status"
    pin=
    pinned "$w" && pin=$PIN
    [ -n "$PYTHON" ] || echo "python3 missing" >"$TMP/$w.asyncio.status"
    corio_only "$w" && echo "n/a" >"$TMP/$w.asyncio.status"
    printf '  %-4s' "$w" >&2
    if [ -n "$pin" ]; then
        # One side at a time: a run not recorded, then the side's runs back
        # to back (decision 176).
        side_runs corio "$runs" "$bin" "$w"
        side_runs asyncio "$py_runs" "$PYTHON" "$PY_SCRIPT" "$w"
    else
        i=1
        while [ "$i" -le "$runs" ]; do
            one_run corio "$bin" "$w"
            [ "$i" -le "$py_runs" ] && one_run asyncio "$PYTHON" "$PY_SCRIPT" "$w"
            i=$((i + 1))
        done
    fi
    echo >&2
done

# cell W SIDE KEY: the median, or why there is none.
cell() {
    if [ -s "$TMP/$1.$2.status" ]; then
        cat "$TMP/$1.$2.status"
    elif [ -s "$TMP/$1.$2.$3" ]; then
        sort -g "$TMP/$1.$2.$3" | awk '{ v[NR] = $1 }
            END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                  printf "%.6g\n", m }'
    else
        echo "-"
    fi
}

# One tab-separated line per row: workload, metric, corio, asyncio, ratio,
# target, verdict (raw numbers; formatted below).
echo "$ROWS" | while read -r w key better target shown; do
    case " $WORKLOADS " in *" $w "*) ;; *) continue ;; esac
    # A target "W:F" is F times corio's median of the same metric in W.
    case $target in
        *:*) target=$(awk -v c="$(cell "${target%%:*}" corio "$key")" -v f="${target#*:}" \
            'BEGIN { if (c ~ /^[0-9.]+([eE][-+]?[0-9]+)?$/) printf "%.6g\n", c * f; else print "-" }') ;;
    esac
    c=$(cell "$w" corio "$key")
    p=$(cell "$w" asyncio "$key")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$key" "$c" "$p" "$better" \
        "$target" "$(echo "$shown" | tr _ ' ')"
done >"$TMP/rows"

# Formats the rows: rates as k/M per second, the rest as they are; the ratio
# is corio/asyncio for "higher is better" and asyncio/corio for "lower is
# better", so that > 1 always means corio is better.
format_rows() {
    awk -F'\t' -v OFS='\t' '
        function isnum(s) { return s ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ }
        function fmt(key, s) {
            if (!isnum(s)) return s
            if (key ~ /gib_per_s$/) return sprintf("%.2f GiB/s", s)
            if (key ~ /_pct$/) return sprintf("%.0f %%", s)
            if (key ~ /_per_s$/) {
                if (s >= 1e6) return sprintf("%.2fM/s", s / 1e6)
                if (s >= 1e3) return sprintf("%.1fk/s", s / 1e3)
                return sprintf("%.0f/s", s)
            }
            if (key ~ /_kib$/) return sprintf("%.1f MiB", s / 1024)
            if (key ~ /_us$/) return sprintf("%.2f us", s)
            if (key ~ /_ms$/) return sprintf("%.2f ms", s)
            if (key ~ /^bytes/) return sprintf("%.0f B", s)
            return s
        }
        {
            ratio = "-"
            if (isnum($3) && isnum($4)) {
                num = ($5 == "hi") ? $3 : $4
                den = ($5 == "hi") ? $4 : $3
                ratio = (den > 0 && num >= 0) ? sprintf("%.1fx", num / den) : "n/a"
            }
            verdict = "-"
            if (($3 ~ /^(FAIL|TIMEOUT)/) && isnum($6)) verdict = "MISSED"
            if (isnum($3) && isnum($6))
                verdict = (($5 == "hi") ? ($3 + 0 >= $6 + 0) : ($3 + 0 <= $6 + 0)) ? "met" : "MISSED"
            # A target written "5x" is a ratio to the asyncio figure.
            if ($6 ~ /^[0-9.]+x$/ && ratio ~ /^[0-9.]+x$/)
                verdict = (num / den >= substr($6, 1, length($6) - 1) + 0) ? "met" : "MISSED"
            print $1, $2, fmt($2, $3), fmt($2, $4), ratio, $7, verdict
        }' "$TMP/rows"
}
HEADER='workload	metric	corio	asyncio	ratio	target	verdict'
PASSES_NOTE='cold: first pass in the process; warm: the same workload again in the same process; targets apply to warm'
RATIO_NOTE='ratio > 1: corio better (corio/asyncio for rates, asyncio/corio for times and sizes)'

{ echo "$HEADER"; format_rows; } | awk -F'\t' '
    { for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
    END { for (r = 1; r <= NR; r++) { line = ""
              for (i = 1; i <= NF; i++) line = line sprintf("%-" w[i] + 2 "s", c[r, i])
              sub(/ +$/, "", line); print line } }'
echo "$PASSES_NOTE"
echo "$RATIO_NOTE"

[ -n "$DOC" ] || exit 0

cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')
cxx=${CXX:-c++}
cxx_version=$("$cxx" --version 2>/dev/null | head -1)
py_version=$([ -n "$PYTHON" ] && "$PYTHON" -c 'import sys; print(sys.version.split()[0])')

mkdir -p "$(dirname "$DOC")"
{
    cat <<'EOF'
# Benchmarks: corio against CPython asyncio

Written by `make bench` (`tests/bench/run.sh`); do not edit by hand: run
`make bench` again. Each workload runs in corio (`build/bench/corio_bench`,
`build/bench/corio_bench_sync`) and in CPython asyncio
(`tests/bench/asyncio_bench.py`) in the same run, one fresh process per run.
The workloads of one process and one thread, A to F, run pinned to one CPU
(`taskset`), corio's runs and asyncio's alike: a pass of E lasts half a
millisecond, and a move to the other CPU in the middle of one leaves its
frames' cache lines behind (unpinned, E's runs fell into two groups, one a
third slower; decision 174). They run one side at a time: first a run
whose figures are not kept, then that side's runs back to back (decision
177). The other workloads alternate corio's runs and asyncio's. The
figures are medians. The programs time themselves
from just before the first task is created to just after the last result is
awaited, check their result and fail when it is wrong; a benchmark is never a
timed test.

## The workloads

Every workload but F runs twice in each process: a **cold** pass, the first
in the process, and a **warm** pass, the same workload again in the same
process. The kernel zeroes a page at its first touch, so the cold pass
pays for memory the warm pass reuses. The table shows both,
as `cold_...` and `warm_...` rows; **a target applies to the warm figure**
(the cold row has none, but for C's, which has its own). C's peak RSS is the whole process's (both passes),
reported once; F measures memory and runs once.

So that the warm pass finds the cold pass's memory still there, the
programs of A, AG, B1, B2, C, D and E, on both sides, tell glibc's malloc
to keep what they free (`mallopt`: blocks of up to 32 MiB from the heap,
and the heap never trimmed below 1 GiB free; `tests/bench/warm_memory.hpp`,
and the same calls through `ctypes` in `asyncio_bench.py`). With glibc's
defaults, a freed block of 128 KiB or more goes back to the kernel, and the
warm pass faulted the pages of its task handles in again: 343 faults on A's
warm pass, at about 12 us each on the machine below, which made it half as
fast (23.5M tasks/s against 46.5M, 2026-12-03; decision 182). F keeps
the defaults: it measures memory.

- **A. spawn**: 200,000 tasks of `ret(i) { return i; }` created in a loop
  without awaiting in between, then all awaited; the sum is checked; tasks
  per second. corio awaits them one by one (its program is chapter 05's,
  before gather); asyncio with one `gather(*tasks)`.
- **AG. spawn, then one gather**: A's work, the 200,000 tasks awaited with
  one `gather` of the vector of tasks (corio, from chapter 06) or
  `gather(*tasks)` (asyncio: the same program as its A); tasks per second.
  Its target: within 25 % of A's.
- **B1. yield, one task**: one task does 1,000,000 `sleep(0)`; yields per
  second.
- **B2. yield, many tasks**: 1000 tasks each doing 1000 `sleep(0)`; yields
  per second.
- **C. timers**: 100,000 concurrent tasks, task i sleeps d_i ms
  (x_0 = 1, x_{i+1} = 48271 x_i mod (2^31 - 1), d_i = x_{i+1} mod 101; the
  longest is 100 ms); wall time minus the ideal 100 ms (`over_ms`) per pass,
  and the process's peak RSS (`getrusage` `ru_maxrss`).
- **CL. C's limit**: C's work done by the least loop that can do it,
  without corio (`tests/bench/limit_timers.cpp`): a ready list, a binary
  heap of timers and `clock_nanosleep`; tasks that are bare coroutines with
  an int result, their frames from `operator new`, each resuming its
  awaiter from its final suspend; no cancellation, trace, task list or
  exceptions. The same program otherwise: the same delays, tasks awaited
  one by one in creation order, a cold and a warm pass, glibc told to keep
  what is freed. What it reads is the most a runtime whose frames come
  from `malloc`, in small pages, could make of C on this machine (corio's
  pool asks for huge pages, below). C's targets (9 ms warm, 14 cold) were set on another
  machine (an Intel Xeon), a little above what such a loop read there:
  13.9 ms cold and 8.3 warm. asyncio has no side.
- **D. queue**: `Queue(maxsize=100)`, 4 consumers, 1 producer putting
  0..999,999 and four -1 sentinels; items per second.
- **E. semaphore**: `Semaphore(10)`, 10,000 tasks each acquire, count
  themselves, `sleep(0)`, uncount, release; the peak holder count must be
  exactly 10; acquisitions per second.
- **F. memory**: 100,000 tasks each waiting on one `Event` and returning 1;
  resident set (`/proc/self/statm`) before and after every task is suspended,
  per task; then the event is set and every result checked. One pass.
- **OFF. the watchers, off** (chapters 02 and 05): what the trace and the
  timeline cost a program that does not use them. `corio_bench_bare` is
  `corio_bench` built with `-DCORIO_NO_WATCHERS`, which compiles out every
  test they add to the hot paths (`detail::kWatchers`, loop.hpp); per run,
  `tests/bench/watchers_off.sh` runs A and B1 three times in each binary,
  interleaved, and compares the best warm rates: `a_cost_pct` and
  `b1_cost_pct` are how much faster, in per cent, the build without them
  is (negative: slower, which is noise). Then callgrind counts the
  instructions of one run of each binary (`make bench` installs valgrind):
  `a_instr_pct` and `b1_instr_pct` are how many more the build with them
  executes, in per cent, and the target (at most 5 %) is on these. They
  are the same on every run, where the times on a shared machine swing by
  more than the cost (A's rate moved between 8M and 14M/s within minutes
  on 2026-12-02). corio only.
- **I. echo round trips** (chapter 12): one TCP connection on 127.0.0.1 to
  an echo server on the same loop (`start_server`, `open_connection`); the
  client writes 64 bytes, drains and `readexactly(64)`s them back, 100,000
  times; round trips per second. Its target is a ratio: at least 5x
  asyncio's rate. Beside it, `limit_rt_per_s`: the same round trips with
  no runtime, in the same process just before (one thread, one epoll set
  holding both ends, and per round trip the six system calls a loop makes:
  two `send`, two `recv`, two `epoll_wait`), so what is left is the
  kernel's share; `warm_of_limit_pct` is corio's warm figure as a
  percentage of it. The limit over asyncio's rate is the most any runtime
  could reach on the ratio on that machine (asyncio's side has no such
  row).
- **J. stream throughput** (chapter 12): 1 GiB from a client to a server
  on the same loop through one connection, in 64 KiB writes each followed
  by `drain()`, the server reading whatever arrives (`read(1 MiB)`); GiB per
  second, from the first write until the server has counted the last byte.
  Beside it, `limit_gib_per_s`: the same gigabyte through a TCP connection
  on 127.0.0.1 with a plain blocking `write()` loop on one thread and
  `read()` on another, in the same process just before (asyncio's side has
  no such row). `warm_of_limit_pct` is corio's warm figure as a percentage
  of it; target at least 80 %. The limit runs its two ends on two threads,
  corio's figure on one loop's thread, so two more rows put one end at a
  time on the loop and the other on a blocking thread: `send_of_limit_pct`
  (corio's `StreamWriter` to a blocking reader) and `recv_of_limit_pct` (a
  blocking writer to corio's `StreamReader`).
- **M. memory per connection** (chapter 12): 2000 connections to a
  `start_server` whose handler waits in `readline()`; the resident set
  before the clients connect and after every handler waits, per connection:
  the server's `StreamReader`, `StreamWriter` (with the transport and
  protocol under them) and handler task, plus the client's bare socket (an
  `int` in corio, a `socket.socket` in Python). The kernel's socket buffers
  are not in the resident set. Target under 2 KiB.
- **G. HTTP server** (chapter 13): corio's `http::Server` serving
  `test_routes()` on 127.0.0.1, loaded by `wrk -t1 -c100` (100 keep-alive
  connections, one client thread; `make bench` installs wrk when missing)
  for 3 seconds after a 1-second warm-up; every request is `GET /`, answered
  `HTTP/1.1 200 OK` with the 13-byte `Hello, World!` body. Two figures: the
  requests per second wrk counted, and the server's CPU time per request
  (user + system time of the server's process while wrk ran, from
  `getrusage`, the counters of `/proc/PID/stat` in microseconds, divided by
  wrk's count). On two cores wrk itself takes one, so requests/s says more
  about wrk and the machine than about the server; **CPU per request is the
  figure**. Target at most 1.8 us. Beside it, `floor_cpu_per_req_us` and
  `floor_req_per_s`: the same wrk load, in the same process right after,
  on a bare epoll server in C++ (no runtime; `recv`, find each head's end,
  one `send` of the fixed response): the least a server spends per request
  on this machine, most of it the kernel's TCP on loopback (there is no
  asyncio row). asyncio has no HTTP server: its side is
  GS's streams responder, so G's ratio compares corio's full server
  (parser, router, `Request`/`Response`) with a responder that parses
  nothing.
- **GS. the same on streams** (chapter 12): the responder written on
  `start_server`: `readuntil("\r\n\r\n")`, one `write` of the whole
  response, `drain()`; asyncio's is the same program. Target at most 1.8 us.
- **GP. the same on a bare Protocol** (chapter 12): `create_server` with a
  protocol whose `data_received` answers each head it finds with one
  `write`: the loop and the transport without the streams above them.
  asyncio's is an `asyncio.Protocol` doing the same. G - GS - GP splits the
  CPU per request between HTTP, streams and the transport with the loop.
- **H. client fan-out** (chapter 13): 1000 GETs of `/delay/50` with
  `Connection: close`, each on a new connection, at most 100 in flight
  (`Semaphore(100)`), against a server that answers each after 50 ms:
  `corio_bench_http serve` (`test_routes()` in a process of its own, so the
  client's loop does only the client's work; asyncio's side asks the same
  server); ideal 0.5 s; target at most 520 ms (warm pass). corio's client
  is `http::Client` (parser, pool, timeouts); asyncio's, without httpx
  here, writes the request on `open_connection` and reads to the close.
  `sync_extrapolated_ms`: 100 blocking GETs one after another
  (`http::blocking_get`; Python's a blocking socket), times 10: what the
  1000 cost without a loop (claim C01). `warm_cpu_per_get_us`: the client
  process's CPU time per GET in the warm pass.
- **GM. memory per idle keep-alive connection** (chapter 13): 2000
  connections from another process (forked, blocking sockets), each having
  had one `GET /` answered and held open; the server's resident set before
  and after, per connection: corio's `http::Server` (task, transport,
  buffers, parser per connection), asyncio's GS responder (its
  `StreamReader`, `StreamWriter`, transport, protocol and task waiting in
  `readuntil`). Kernel socket buffers are not in the resident set. Target
  under 4 KiB.
- **K. connections** (chapter 14): 50,000 TCP connections on 127.0.0.1 (as
  many as the limit on open files allows when it cannot be raised that far:
  a note says how many) from a child process to one server (`start_server`,
  a task per connection answering `pong` to each `ping` line); each
  connection does one round trip, waits until all are open, then nine more.
  The clients spread over several 127.0.0.x source addresses when half the
  ephemeral port range is too few. `time_ms`: the clients' time from the
  first connect to the last answer; `peak_rss_kib`: the server's process;
  `bytes_per_conn`: the server's resident set with every connection open,
  minus before, per connection (kernel buffers not counted). The program
  `chapters/14-production/3-ten-thousand.cpp` at the bench's size.
- **KS. the soak** (chapter 14): 1,000,000 keep-alive requests to chapter
  13's `http::Server` from 200 clients on the same loop, 2 % of them
  abandoned by a disconnect, 2 % by a reset (`SO_LINGER` 0), 1 % stalled
  until the server's 0.2 s header timeout closes them
  (`tests/support/soak.hpp`; `make test` runs 20,000 of them on the virtual
  clock). Fails when a request waited for is not answered fully or when the
  open fds or the heap in use after the soak differ from before it (after a
  warm-up); the figures: requests answered, requests per second, the
  resident set's growth and the open fds' growth. asyncio has no side.
- **GC. one loop per core** (chapter 14, `tests/bench/corio_bench_cores.cpp`):
  G's server and G's load (`wrk -t1 -c100`, 3 s after a 1-second warm-up),
  served by one loop and then by two, each loop on a thread of its own with
  an `http::Server` on the same port (`SO_REUSEPORT`, `LoopThreads`); the
  requests per second and the server's CPU time per request (the whole
  process, every loop's thread) for each. On two cores wrk takes one, so the
  second loop has no core of its own: GC shows what a loop per core costs
  here, and gains only on a machine with cores to spare. No asyncio side
  (asyncio would need a process per core).

The ratio is corio/asyncio for rates and asyncio/corio for times and sizes:
above 1, corio is better. The targets are corio's (issue 8, close to what a
bare loop doing the same work reaches), and are judged on the warm pass:
A >= 28M tasks/s, AG within 25 % of A (>= 75 % of A's figure in the same
run), B1 >= 100M yields/s, B2 >= 150M yields/s, C <= 9 ms over the ideal
(and <= 14 ms cold), D >= 180M items/s, E >= 22M acquisitions/s; and C's
peak RSS <= 24 MiB, F <= 176 bytes per suspended task; (issue 11) the trace
and the timeline, off, cost A and B1 at most 5 % (OFF); (issue 2) I >= 5x
asyncio's rate, J >= 80 % of the blocking loop's throughput, M <= 2 KiB per
connection; (issue 13) G, GS and GP <= 1.8 us of server CPU per request,
H <= 520 ms, GM < 4 KiB per idle connection.

Where the two sides differ, and why (the programs add their own notes below
the table):

- D, E and F need `Queue` (chapter 08), `Semaphore` and `Event` (chapter
  07), so they live in a chapter-08 program of their own,
  `tests/bench/corio_bench_sync.cpp`; A, B1, B2 and C in a chapter-05 one,
  `tests/bench/corio_bench.cpp`. I, J and M need chapter 12's streams:
  `tests/bench/corio_bench_net.cpp`. G, GS, GP, H and GM:
  `tests/bench/corio_bench_http.cpp` (chapter 13).
- asyncio runs its slow workloads (A, B1, C, F, I, J: a run of A, B1, C or
  I, two passes, takes tens of seconds) fewer times than corio (`BENCH_PY_RUNS`),
  to keep `make bench` within a few minutes.
- The interpreter is the distribution's `/usr/bin/python3` when there is one
  (an optimised build), else `python3` on `PATH`; `BENCH_PYTHON` picks another.

## What the figures owe to the code

The chapters teach the code; the figures it gives live here.

- F and the promise (chapter 05): a task's number is 48 bits sharing a word
  with its flags, and a name given to `create_task` lives in a side table
  keyed by the promise. Most tasks are never named, so they pay nothing:
  the frame of a task waiting on an `Event` was 176 bytes instead of 192.
  Chapter 14's `waits_on_` (decision 146) made it 184, which the frame
  pool rounds to 192; with the ready queue's slot, the task list's and the
  program's vector of handles (8 bytes each, and the vectors' slack) that
  was F's 223. `waits_on_` went again when the awaiter's kind took over
  what it said (decision 165, below).
- F and the awaiters (chapter 07): an `Event`'s awaiter is its waiter node
  alone, inside the waiting frame, so 100,000 tasks waiting on one event
  cost their frames and nothing else. Until the node is in line its back
  link holds the event (decision 162): the frame went from 184 bytes to
  176, a size class down, and F from 223 to 207. Without `waits_on_` it
  is 168, in the same class; F's 176 needs the frame at 144, three words
  fewer (152 since decisions 167-168, below).
- F and cancellation (chapter 09): an awaiter gains one word, its `kind`
  pointer (the waker it keeps, a `ReadyEntry`, is there from chapter 04),
  and the promise one, its wait point (in the result's word since
  decision 178); the request count fills the half
  word beside the task's index in the loop's task list (a vector of task
  pointers from chapter 05, whose pointer per task F counts outside the
  frame), and the flags are bits. F measured 205 bytes per suspended task
  when chapter 09 was written.
- D and the queue (chapter 08): a million integers go from one producer to
  four consumers through a `Queue(maxsize=100)`. Almost every `put` and
  `get` takes the fast path: the producer fills the queue, the first
  consumer to run drains it without suspending, and the others take what
  is left, about a hundred items per round trip through the loop. An item
  costs a few increments and a ring-buffer move on each side. GCC called
  the awaiters' `await_resume` instead of inlining it; forced inline
  (`[[gnu::always_inline]]`), callgrind's count of `corio_bench_sync D`
  went from 243,639,209 to 199,738,507 instructions (122 to 100 an item)
  and the rate from 138M to 193M items a second (medians of 7 runs, each
  binary in turn).
- AG and gather (chapter 06): `gather` walks its children once, hooking a
  node on each pending child and counting the done ones (it walked them
  twice), and asks a child that succeeded for its error inline
  (`has_error`): `corio_bench AG` 272,274,525 to 255,074,209 instructions.
  Its nodes are built whole in one write, `unhook_all` stops once no node
  is hooked (a gather ended by its last child walks none), and each child
  is let go as soon as its result is read (decision 159): AG went from
  52 % to 58 % of A in interleaved runs, and from 55 % to 61 % in `make
  bench`. Then the nodes: a new vector of them per call was 9.6 MB of
  fresh pages, 2,344 page faults a pass, and the vector forms now take the
  block the thread's last one let go (decision 163): AG went up 19 %,
  from 59 % to 73 % of A in interleaved runs. What is left is structural:
  A visits each frame three times (made, stepped, awaited), AG four (made,
  hooked, stepped, read), and each of 200,000 nodes three times (built,
  hooked, notified); with 200,000 children every visit is a trip to
  memory. Reading each result when its child completes, while the frame
  is in the cache, was tried and gained nothing measurable: the read
  walks the frames in the order they were made, which the prefetcher
  follows. The two rows also time different ends: A's 200,000 tasks are
  freed after its clock stops (its vector of handles outlives the pass),
  and AG's inside it (`gather` lets each child go as it reads it), as the
  workload's "until the last result is awaited" allows both. Timing A's
  frees too read 4.2 ms a pass against 3.75 (scratch runs, 2026-12-02).
  Both rows are left as a program would write them: keeping AG's tasks
  alive past the clock, as asyncio's list does, means `gather(tasks)` of
  an lvalue, whose copy of the handles is one more walk over the frames,
  and it read 6.8 ms a pass against 6.5 for the moved vector (2026-12-04).
- A and the fresh frame (chapter 05): a frame comes off the pool cold. A
  bit-field store reads its word first, and the promise's word of task
  number and flags had five undeclared bits, so its constructor read the
  cold frame; then `release` wrote one byte of that word and `make_task`
  read all of it, a read the store queue cannot answer. Declared to the
  last bit and written in one go (decision 159), `make_task` fell from
  28 % of A's time to 5 %: A +7 %, AG +9 %, E +7 % (medians of 9
  interleaved runs), and reading a result tests `done` and the error
  inline.
- A and the ready queue (chapter 01): A's coroutine is woken alone, and
  queues 200,000 tasks. The queue started again at its first slot only
  once a round was over, so that batch went on past the last one's slots,
  into 122 pages of the ring's array that had never been written, faulted
  in on every warm pass. Phase 6 now rewinds the queue as the round's last
  entry leaves it empty, before that entry runs (decision 181): A's warm
  pass 32.5M to 42.8M tasks/s, AG 23.2M to 28.4M (medians of 11 runs
  alternating with the binaries before, both keeping freed memory).
- C, A and huge pages (chapter 05): a first touch of a page costs about
  12 us here, and a cold pass is mostly first touches. The frame pool's
  chunks are 2 MiB, and every chunk after a pool's first is advised
  `MADV_HUGEPAGE`: one fault for 512 pages (decision 183). C's cold pass
  went from 47 to 26-28 ms over its ideal, under the 49-51 ms of the least
  loop doing its work (CL, whose frames come from `malloc`); A's cold
  pass from 3.1M to 6.1M tasks/s; the warm passes of A and AG gained 8-9 %
  (fewer TLB misses). The price: up to 2 MiB resident in the last chunk,
  F 164 to 174 bytes a task and C's peak RSS 23.0 to 23.8 MiB. The rest
  of C's cold pass is its heap (the timer heap, the task list, the
  program's vector), about 1,450 faults.
- I and the kernel (chapters 01 and 12): a round trip is six system calls,
  two `send`, two `recv` and two waits, and 82 % of corio's time in it is
  the kernel's. `limit_rt_per_s` is a bare epoll loop making exactly those
  calls; corio reaches 87-89 % of it since a poll that would wait first
  peeks without waiting and only a loop going to sleep audits its fds
  (decision 156): a wait with a deadline read the clock three times per
  poll, and corio was at 82-84 %. asyncio's rate is 20-21 % of the limit
  on this machine, so no runtime can reach 5x asyncio here: the limit
  itself is 4.7-5.0x.
- B1 and the lone yield (chapter 04): when nothing else is ready, a
  `sleep(0)` goes on at once, for the loop's next iteration would only have
  resumed it (decision 123 lists what that iteration could have done instead:
  a stop, a due timer, a poll every 61st turn, mail from other threads, a
  trace line). B1's one task yields with nothing else ready, so callgrind's
  count of `build/bench/corio_bench B1` (two passes of 1,000,000 yields)
  went from 439,806,533 to 143,805,738 instructions (220 to 72 a yield;
  60 since, below).
  B2's thousand tasks always find others ready and take the loop's path.
- The trace and the timeline, off (chapters 02 and 05): callgrind's
  instruction counts of `valgrind --tool=callgrind build/bench/corio_bench
  B1` (two passes of 1,000,000 yields) went from 423,802,316 to 439,806,847
  when the two arrived (+3.8 %, 8 instructions a yield), and of `... A` (two
  passes of 200,000 tasks) from 209,985,853 to 213,990,151 (+1.9 %, 10 a
  task). Now, beside `corio_bench_bare` (row OFF: the same program with
  both compiled out): B1 119,805,640 against 115,805,616 (60 against 58 a
  yield: the loop's one `observed_` flag, tested by `sleep(0)`'s shortcut),
  A 204,251,085 against 200,651,145 (511 against 502 a task: the
  timeline's test at `create_task` and at the task's end). A park tests one
  flag for the timeline and the test observer (`parks_watched`), as it
  tested the observer alone before the timeline came. No allocation and no
  virtual call happen on those paths while both are off; on, the trace
  writes a line per iteration and the timeline allocates its lanes.
- A, B2, D and the step (chapters 05 and 09): a task's step holds no
  reference of its own (the loop's keeps the frame until the task
  completes) and keeps its cancellation paths out of line; `park()`,
  `cancel_pending()` and a yield's `await_suspend` are inline. callgrind,
  two passes: B2 312,992,721 to 274,970,680 instructions (156 to 137 a
  yield), B1 143,805,738 to 119,805,640 (72 to 60), D 278,437,637 to
  243,237,077 (139 to 122 an item), A 208,651,083 to 204,251,085 (522 to
  511 a task).
- Every frame and the wait kinds (chapters 04 and 09): an awaiter points to
  a static table of its class (`WaitKind`: how it answers a cancellation,
  what the wait is, what it awaits), so a task no longer notes at every
  `park()` what it waits on, for chapter 14's call graph, in a word of its
  own (decision 165); and a sleep keeps its delay in its timer node's
  deadline until the timer is set (decision 166). Eight bytes each, but a
  frame is rounded to 16: A's task went from 144 bytes to 128, C's
  sleeper and B2's yielder from 208 to 192 (C's peak RSS 27.1 to 25.8
  MiB). callgrind, two passes: B2 280,928,208 to 272,919,264 instructions
  (140 to 136 a yield), E 18,500,962 to 18,227,953, A 194,272,651 to
  192,274,173; medians of 7 interleaved runs: A +9 %, B2 +6 to 8 %, E
  +5 %.
- Every frame, the future's core and the memory nobody uses (chapters 01,
  03, 05): a future's core has no virtual functions (whoever drops the last
  reference knows what it frees: a plain future's handle its `HeapState`,
  a task its frame, found two words before the promise), and a result
  that fits in a word shares the word of the error (decisions 167-168).
  Two words fewer in every task: F's waiting frame went from 168 bytes to
  152 (size class 176 to 160), C's sleeper and B2's yielder from 192 to
  176, E's holder from 240 to 224, A's task from 128 to 112. The frame pool
  faults chunks in 64 KiB at a time, and the ready queue starts again at
  its first slot when an iteration leaves it empty, in an array allocated
  unwritten (decision 169): the pages past the busiest moment are never
  touched. F went from 206 to 188 bytes a task, C's peak RSS from 25.8 to
  23.9 MiB.
- B2, E and the sleep (chapters 02, 04 and 09): a timer node says what
  `fire()` does with a function pointer, not a virtual function, whose
  vtable pointer the awaiter's destructor wrote again at every yield; the
  heap alone sets a node's sequence number; a sleep sets its wait kind
  where the compiler can merge the store with `WaitPoint`'s null (decision
  170). callgrind: 137 to 133 instructions a yield on B2; medians of 9
  interleaved runs: B2 +6.6 %, E +4.5 %.
- AG and the nodes (chapter 06): a gather's node is five words (its place
  is its place in the node array, and it is on its child's list exactly
  while its links are set), the vector forms build each node in the walk
  that hooks it, and `FutureCore::add_waiter` is inline (decision 171):
  8 MB of nodes a pass instead of 9.6, one pass over them fewer, no call
  per child. AG +10.6 % in interleaved runs, at 77 % of A in the same
  runs.
- B2, E and the step (chapters 01, 04, 09 and 11): a task's usual step
  tests one cancellation flag and clears none, debug mode's step timer
  lives in the watched loop, and a yield keeps no waker in its frame
  (decision 172); iterations never nest (`run_once` refuses to run from
  another loop's callback), so a step sets `running` without saving it,
  and the flag that a step is to throw `CancelledError` is the thread's,
  one byte every `co_await` tests (decision 175). callgrind: 132 to 111
  instructions a yield on B2, E's run 6 % fewer. F and the frame
  (chapters 04 and 09): a frame keeps its function's name as a 32-bit
  distance from its own destroy function, and the count of cancel
  requests lives in a side table while it is not zero (decision 173): F's
  waiting frame went from 152 bytes to 144, and F from 188 to 172 bytes a
  task. Medians of 11 interleaved runs, pinned: B2 +11.2 %, A +3.7 to
  +8.5 % (two sets), E +1.4 %, AG, C and D within the noise. E moved
  least: its 10,000 frames (2.2 MB) overflow this machine's 2 MB L2, and
  2,500 holders run at 23M acquisitions a second where 10,000 run at 20M.
  From this stop, A to F run pinned to one CPU on both sides (decision
  174): unpinned, E's runs fell into two groups, 11-15M and 20-23M, as the
  process moved between CPUs in the middle of a half-millisecond pass.
- Every frame (chapter 05): the pool's size classes go by 8 bytes, not 16;
  a frame whose size is an odd number of 8-byte grains starts on 8, any
  other on 16 (decision 176). A's task takes 104 bytes instead of 112, E's
  holder 216 instead of 224, C's sleeper and B2's yielder 168 instead of
  176; F's waiter was 144 already. Medians of runs alternating with the
  last stop's binaries, pinned, in two sets: A +0.8 and +6 %, E +2 and
  +5 %, AG +1.6 and +3 %, B2 0 and +3 %, C's warm pass 2.6 and 3.6 %
  closer to its ideal; callgrind counts 0.1 % more instructions on A.
  From this stop, A to F run one side at a time, each side's runs back to
  back after a run not kept (decision 177): on one CPU, a run of A right
  after a run on the other CPU read 19.5-22.0M tasks a second, and the
  next two runs of the same binary 23.7-28.4M.
- Every frame (chapter 09): where a task waits lives in the word its
  result will take, free until the result arrives (decision 178), so the
  promise is 56 bytes, not 64. A's task takes 96 bytes, E's holder 208,
  C's sleeper and B2's yielder 160, F's waiter 136 (F 164 bytes a task,
  from 172). Medians of 21 runs alternating with the last stop's
  binaries, pinned, both orders: A +8.4 and +3.3 %, E +2.5 to +6.9 %,
  AG +3 and +12.7 %, C's warm pass 1.4 and 4.2 % closer to its ideal, B2
  and D within the noise. A task now pays one bit test at its end, for a
  cancellation asked for in its last step (decision 179). And a task's
  creation and end keep their rare paths out of line, where GCC had
  inlined them at the cost of saved registers and stack frames on the
  common path, and `create_task` takes its name as a `string_view`
  (decision 180): callgrind, all three decisions against the last stop,
  A 179.3M to 165.3M instructions, AG 205.3M to 191.3M, C 235.2M to
  228.0M, E 16.25M to 15.53M, B2 unchanged. Medians of 15 runs
  alternating with the last stop's binaries, pinned, both orders, in a
  fast hour: A +11.3 and +10.9 %, E +8.8 and +10.0 %, AG +9.6 and
  +13.5 %, C's warm pass 3.7 and 5.7 % closer to its ideal, B2 +0.9 %.
- G, GS, GP and the kernel (chapters 12 and 13): the server makes the two
  system calls a request without pipelining needs, one `recv` and one
  `send` (`perf stat -e 'syscalls:sys_enter_*'` on the server alone), and
  one `epoll_wait` per 5-7 requests; no `epoll_ctl` while connections stay
  open. Most of its CPU time is the kernel's TCP on loopback (66-77 % of
  the samples of `perf record`; a `send` on loopback also runs the
  receiving side's TCP, wrk's, in the sender's system time). In user space
  (callgrind, instructions per request, startup included): GP 470, GS
  2,900, G 6,600. The streams layer's 2,400 are `readuntil` and `drain`
  as coroutines (a frame each, two for `drain`), the head returned as a
  `std::string` and the reader's buffer; HTTP's 6,100 are the router
  (2,100: finding the route, the handler's coroutine through
  `std::function`, `Request` moved three times, `Response::text`), the
  parser (1,100 for a 40-byte request), `serialize` (800) and the
  connection's task, deadlines and clock reads (the rest).
- H's client (chapter 13): callgrind counted about 45,000 instructions per
  GET on a new connection (connect, request, response, close), a third of
  them clearing a 16 KiB read buffer per connection; the buffer is no
  longer cleared (about 30,000 left, by the bench's scratch measurement).
  The rest of H's time over the ideal 500 ms is that CPU per GET, client
  and server, times the 100 connections of each wave: ten waves one after
  another, each about 100 x (connect, accept, request, answer, close)
  later than 50 ms. callgrind puts the client's user space at about 30,000
  instructions per GET (10 us at most) of the 38 us of CPU the bench
  prints: the rest is the kernel's `socket`, `connect` and `close` on
  loopback. A numeric host already skips `getaddrinfo` in `http::Client`,
  so no executor round trip is on H's path.
- G's floor (chapter 13): on this machine (2 CPUs shared, load 8-15 while
  measured) the bare epoll server spent 3.0-4.1 us of CPU per request
  under wrk, corio's `http::Server` 3.6-4.2 us in the same runs, asyncio's
  GS responder 12 us. No server, even one with no runtime, parsing
  nothing, answers in 1.8 us here: the target was written on a machine
  where Boost.Asio and libuv took 2.1 us, and this one is about twice as
  slow, so the figure to read is G against the floor (corio adds 0.2-0.6
  us, its user space: about 5,000 instructions per request by callgrind,
  startup excluded), not against 1.8 us. On 2026-12-02 a libuv 1.44
  server (Debian's libuv1-dev, a side experiment outside this repository:
  the same fixed answer, `uv_try_write`, under the same `wrk -t1 -c100`,
  CPU from `/proc`) took 6.9-7.1 us per request, corio's `http::Server`
  6.9 us and the bare floor 5.8 us within the same minutes: here, libuv
  is no faster than corio, and neither comes near 1.8 us.
- I (chapter 12): a read that waits for data waits on a node in its own
  frame, not on a `Future` made by a `wait_for_data` coroutine (decision
  126): the two passes went from 953,224,836 to 730,823,730 instructions,
  and to 671,982,747 once `open_connection` and `start_server` took
  "127.0.0.1" without `getaddrinfo` on the executor (decision 141: the
  set-up's thread pool and four look-ups, not the round trips; about
  3,300 instructions per round trip are left, both ends, system calls'
  user side included). Six system calls per round trip (two `send`, two `recv`, two
  `epoll_wait`); what is left in user space is the loop's iteration, a
  frame per `read` and per `drain`, and the `std::string` each read
  returns.

EOF
    echo "## Results"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(nproc 2>/dev/null || echo '?') CPUs, ${cpu:-unknown CPU}, $(uname -srm)"
    echo "- load average (1, 5, 15 min) at the start: ${LOAD_START:-?}$LOAD_NOTE"
    echo "- compiler: ${cxx_version:-$cxx (not found)}, -O2 -DNDEBUG"
    echo "- python: ${PYTHON:-python3 missing}${py_version:+ ($py_version)}"
    echo "- runs: $RUNS per workload for corio and asyncio; asyncio $PY_RUNS for A B1 C F I J; $LONG_RUNS for K and KS"
    echo
    { echo "$HEADER"; format_rows; } | awk -F'\t' '
        { line = "|"; for (i = 1; i <= NF; i++) line = line " " $i " |"; print line }
        NR == 1 { line = "|"; for (i = 1; i <= NF; i++) line = line "---|"; print line }'
    echo
    echo "$PASSES_NOTE."
    echo "$RATIO_NOTE."
    if [ -s "$TMP/notes" ]; then
        echo
        echo "## Notes from the programs"
        echo
        sort -u "$TMP/notes" | sed 's/^# /- /'
    fi
} >"$DOC"
echo "wrote $DOC" >&2
