// A Lock keeps a read-modify-write whole across an await
#include <cstdio>
#include <vector>

#include <corio/corio.hpp>
#include <corio/sync/lock.hpp>

int balance = 0;

// A deposit reads the balance, waits for the bank's ledger (0.1 s), and
// writes the new balance. Without the lock, every deposit reads the same
// old balance while the others are waiting, and all but one are lost.
corio::Coro<> deposit(corio::Lock* lock, int amount) {
  if (lock) {
    auto held = co_await lock->hold();
    int read = balance;
    co_await corio::sleep(0.1);
    balance = read + amount;
  } else {
    int read = balance;
    co_await corio::sleep(0.1);
    balance = read + amount;
  }
}

corio::Coro<> ten_deposits(const char* title, corio::Lock* lock) {
  balance = 0;
  double start = corio::get_running_loop().time();
  std::vector<corio::Task<>> tasks;
  for (int i = 0; i < 10; ++i) tasks.push_back(corio::create_task(deposit(lock, 10)));
  for (corio::Task<>& task : tasks) co_await task;
  std::printf("%-15s 10 deposits of 10 -> balance %3d after %.1fs\n", title, balance,
              corio::get_running_loop().time() - start);
}

corio::Coro<> main_coro() {
  co_await ten_deposits("without a lock:", nullptr);
  corio::Lock lock;
  co_await ten_deposits("with a lock:", &lock);
}

int main() { corio::run(main_coro()); }
