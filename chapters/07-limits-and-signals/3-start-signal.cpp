// An Event as a start signal: five runners wait for one set()
#include <cstdio>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/sync/event.hpp>

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<> runner(corio::Event& gun, std::string name, double lap) {
  std::printf("%.1f  %s is on the line\n", elapsed(), name.c_str());
  co_await gun.wait();
  std::printf("%.1f  %s starts\n", elapsed(), name.c_str());
  co_await corio::sleep(lap);
  std::printf("%.1f  %s finishes\n", elapsed(), name.c_str());
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  corio::Event gun;
  std::vector<corio::Task<>> runners;
  const char* names[] = {"Ada", "Brian", "Chen", "Dana", "Emil"};
  for (int i = 0; i < 5; ++i) runners.push_back(corio::create_task(runner(gun, names[i], 1.0 + 0.5 * (i % 3))));
  co_await corio::sleep(1.0);
  std::printf("%.1f  the gun fires: gun.set()\n", elapsed());
  gun.set();
  for (corio::Task<>& r : runners) co_await r;
  co_await gun.wait();  // set already: returns at once
  std::printf("%.1f  everyone is home; wait() on a set event returns at once\n", elapsed());
}

int main() { corio::run(main_coro()); }
