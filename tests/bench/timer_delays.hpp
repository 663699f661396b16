// @chapter 05
// Workload C's delays, in ms, for corio_bench C and limit_timers CL alike:
// d_i = x_{i+1} mod 101, x_0 = 1, x_{i+1} = 48271 x_i mod (2^31 - 1). The
// first five are 94, 16, 99, 7 and 60, and the longest is 100.
#pragma once

#include <vector>

inline std::vector<int> timer_delays(int count) {
  std::vector<int> d(count);
  long long x = 1;
  for (int& di : d) {
    x = 48271 * x % 2147483647;
    di = static_cast<int>(x % 101);
  }
  return d;
}
