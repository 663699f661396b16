// A picture of time: which task ran when
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <corio/corio.hpp>

constexpr double kTick = 0.25;  // seconds per cell of the picture
constexpr int kCell = 3;        // characters per cell
constexpr double kSpan = 2.0;   // seconds the axis shows

double start = 0;
std::vector<std::string> order;                    // the rows, in order of appearance
std::map<std::string, std::vector<double>> steps;  // when each task ran

// Called at the start of every step a task takes: right after it began or
// was resumed.
void ran(const std::string& who) {
  if (!steps.count(who)) order.push_back(who);
  steps[who].push_back(corio::get_running_loop().time() - start);
}

corio::Coro<> sleeper(std::string name, std::vector<double> naps) {
  ran(name);
  for (double nap : naps) {
    co_await corio::sleep(nap);
    ran(name);
  }
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  ran("main");
  corio::Task<> fetch = corio::create_task(sleeper("fetch", {1.0, 0.5}), "fetch");
  corio::Task<> tick = corio::create_task(sleeper("tick", {0.5, 0.5, 0.5, 0.5}), "tick");
  corio::Task<> parse = corio::create_task(sleeper("parse", {0.75, 0.25}), "parse");
  co_await fetch;
  ran("main");
  co_await tick;
  ran("main");
  co_await parse;  // done at 1.0 already: no suspension, so no new step
}

void draw() {
  std::string axis = "t (s)   ";
  for (int cell = 0; cell * kTick <= kSpan; cell += 2) {
    char label[16];
    std::snprintf(label, sizeof label, "%-*.1f", 2 * kCell, cell * kTick);
    axis += label;
  }
  axis.erase(axis.find_last_not_of(' ') + 1);
  std::printf("%s\n", axis.c_str());
  for (const std::string& who : order) {
    std::string row;
    for (double t : steps[who]) {
      auto at = static_cast<std::size_t>(std::lround(t / kTick)) * kCell;
      if (row.size() < at) row.append(at - row.size(), '-');
      row += '#';
    }
    std::printf("%-8s%s\n", who.c_str(), row.c_str());
  }
  std::printf("# a step of the task ran, - it waited; one thread ran every step, one at a time\n");
}

int main() {
  corio::run(main_coro());
  draw();
}
