// A Condition: shoppers wait for bread; notify_all() wakes every one, notify(n) only n
#include <cstdio>
#include <string>
#include <vector>

#include <corio/corio.hpp>

int loaves = 0;  // the state the condition guards
double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<> shopper(corio::Condition& shelf, std::string name) {
  auto held = co_await shelf.hold();
  while (loaves == 0) {  // wait_for(predicate) is this loop
    std::printf("%.1f  %s: no bread, waits\n", elapsed(), name.c_str());
    co_await shelf.wait();  // lets go of the lock while it waits; holds it again here
  }
  --loaves;
  std::printf("%.1f  %s takes a loaf, %d left\n", elapsed(), name.c_str(), loaves);
}

corio::Coro<> bake(corio::Condition& shelf, int batch, bool all) {
  auto held = co_await shelf.hold();
  loaves += batch;
  std::printf("%.1f  baker: %d loaf(s) out, %s\n", elapsed(), batch, all ? "notify_all()" : "notify(2)");
  if (all) {
    shelf.notify_all();
  } else {
    shelf.notify(2);
  }
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  corio::Condition shelf;
  std::vector<corio::Task<>> shoppers;
  for (const char* name : {"Ada", "Brian", "Chen"}) shoppers.push_back(corio::create_task(shopper(shelf, name)));
  co_await corio::sleep(0.5);
  co_await bake(shelf, 1, true);  // three woken, one loaf: two go back to waiting
  co_await corio::sleep(0.5);
  co_await bake(shelf, 2, false);
  for (corio::Task<>& s : shoppers) co_await s;
}

int main() { corio::run(main_coro()); }
