// @chapter 02
// Whether the loop's watchers are compiled in: the trace (chapter 02) and
// the timeline (chapter 05). They always are, and cost a program that leaves
// them off one test of a null pointer or a flag where they hook in. Only
// make bench builds a program without them (-DCORIO_NO_WATCHERS,
// build/bench/corio_bench_bare), to show beside the real one that those
// tests cost nothing measurable (its row OFF, docs/benchmarks.md).
#pragma once

namespace corio::detail {

#ifdef CORIO_NO_WATCHERS
inline constexpr bool kWatchers = false;
#else
inline constexpr bool kWatchers = true;
#endif

}  // namespace corio::detail
