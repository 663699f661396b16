#!/bin/sh
# @chapter 05
# tests/bench/watchers_off.sh OFF - make bench's row OFF (issue 11): what the
# trace (chapter 02) and the timeline (chapter 05) cost while they are off.
# build/bench/corio_bench has them compiled in and off, as every program has;
# build/bench/corio_bench_bare is the same program with them compiled out
# (-DCORIO_NO_WATCHERS). Runs A and B1 three times in each, interleaved, and
# prints, from the best warm rate of each binary, how much faster the bare
# one is in per cent, in run.sh's format:
#   OFF a_cost_pct=1.2 b1_cost_pct=-0.4 a_instr_pct=1.8 b1_instr_pct=3.5
# The *_instr_pct figures are callgrind's counts of instructions, one run
# of each binary: how many more the watchers' tests execute, the same on
# every run. On a shared machine the times swing by more than the cost
# itself (A's rate moved 8M to 14M/s within minutes on the day this was
# written), so the target is on the instruction counts.
# The binaries are in $BENCH_BIN (run.sh exports it), else build/bench.
# Exit status as run.sh's programs: 0 measured, 1 a run failed, 2 not built.
set -u
[ "${1:-}" = OFF ] || { echo "usage: watchers_off.sh OFF" >&2; exit 2; }
BIN=${BENCH_BIN:-build/bench}
[ -x "$BIN/corio_bench" ] && [ -x "$BIN/corio_bench_bare" ] || exit 2

# rate W KEY BINARY: the warm rate of one run.
rate() {
    r_v=$("$BIN/$3" "$1" | sed -n "s/^$1 .*$2=\([^ ]*\).*/\1/p")
    [ -n "$r_v" ] || { echo "watchers_off.sh: $3 $1 gave no $2" >&2; return 1; }
    echo "$r_v"
}

# cost W KEY: per cent faster without the watchers, from the best of three
# runs of each binary, the two alternating.
cost() {
    c_on=0 c_bare=0
    for c_i in 1 2 3; do
        c_v=$(rate "$1" "$2" corio_bench) || return 1
        c_on=$(awk -v a="$c_on" -v b="$c_v" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
        c_v=$(rate "$1" "$2" corio_bench_bare) || return 1
        c_bare=$(awk -v a="$c_bare" -v b="$c_v" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
    done
    awk -v on="$c_on" -v bare="$c_bare" 'BEGIN { printf "%.2f\n", (bare / on - 1) * 100 }'
}

# instructions W BINARY: what callgrind counted over one run of W.
instructions() {
    i_v=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN/$2" "$1" 2>&1 >/dev/null |
        sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p')
    [ -n "$i_v" ] || { echo "watchers_off.sh: callgrind counted nothing for $2 $1" >&2; return 1; }
    echo "$i_v"
}

# instr_cost W: per cent more instructions with the watchers compiled in.
instr_cost() {
    ic_on=$(instructions "$1" corio_bench) || return 1
    ic_bare=$(instructions "$1" corio_bench_bare) || return 1
    awk -v on="$ic_on" -v bare="$ic_bare" 'BEGIN { printf "%.2f\n", (on / bare - 1) * 100 }'
}

a=$(cost A warm_tasks_per_s) || exit 1
b1=$(cost B1 warm_yields_per_s) || exit 1
ai=$(instr_cost A) || exit 1
b1i=$(instr_cost B1) || exit 1
echo "OFF a_cost_pct=$a b1_cost_pct=$b1 a_instr_pct=$ai b1_instr_pct=$b1i"
