// @chapter 05
// A warm pass should find the memory the cold pass used still in the
// process. glibc does not keep it by default: a block of 128 KiB or more
// (A's 200,000 task handles are 1.6 MB) is mapped on its own and unmapped
// when freed, and the next one comes from the top of the heap, which is
// trimmed back to the kernel too. So the warm pass faulted the handles'
// pages in again: 343 faults on A, at about 12 us each on the machine of
// docs/benchmarks.md, half of the pass. The programs of the workloads with
// a warm pass (A, AG, B1, B2, C, D, E) call keep_freed_memory() first, and
// asyncio_bench.py does the same for its side; F, which measures memory,
// does not (decision 182).
#pragma once

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

inline void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // every block up to 32 MiB from the heap (glibc's largest threshold)
  mallopt(M_TRIM_THRESHOLD, 1 << 30);   // and the heap never trimmed below 1 GiB free
#endif
}
