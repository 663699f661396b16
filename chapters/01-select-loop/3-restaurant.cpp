// The guide's restaurant: one waiter serves three tables without waiting at any of them
//
// The guide pictures the event loop as a waiter who takes orders from many
// tables and brings each dish when the kitchen has it ready, instead of
// standing at one table until its food arrives. Here the waiter is a
// corio::Loop, taking an order is a call_soon callback, and the kitchen is a
// thread that cooks the dishes side by side and puts each one on the pass (a
// pipe) when it is done. The waiter's only reader is the pass.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <corio/loop/loop.hpp>

namespace {

struct Order {
  int table;
  const char* dish;
  double cook_seconds;
};

const std::vector<Order> kOrders = {{1, "steak", 0.3}, {2, "soup", 0.2}, {3, "salad", 0.1}};

// The kitchen reads one ticket per order (a table number), then puts every
// dish on the pass when its cooking time is up, the quickest first.
void kitchen(int tickets, int pass) {
  auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < kOrders.size(); ++i) {
    char table = 0;
    if (::read(tickets, &table, 1) != 1) return;
  }
  for (const Order& o : {kOrders[2], kOrders[1], kOrders[0]}) {
    std::this_thread::sleep_until(start + std::chrono::duration<double>(o.cook_seconds));
    std::string plate = std::to_string(o.table) + "\n";
    (void)::write(pass, plate.data(), plate.size());
  }
}

}  // namespace

int main() {
  int tickets[2], pass[2];
  if (::pipe(tickets) != 0 || ::pipe(pass) != 0) return 1;
  std::thread cooks(kitchen, tickets[0], pass[1]);

  corio::Loop waiter;
  auto start = std::chrono::steady_clock::now();

  // Taking an order: queued with call_soon, run in the order queued.
  for (const Order& o : kOrders) {
    waiter.call_soon([&tickets, o] {
      std::printf("waiter: took table %d's order (%s) to the kitchen\n", o.table, o.dish);
      char table = static_cast<char>('0' + o.table);
      (void)::write(tickets[1], &table, 1);
    });
  }

  // Serving: whenever the pass is readable, carry out every dish on it.
  std::size_t served = 0;
  waiter.add_reader(pass[0], [&] {
    char plates[16];
    ssize_t n = ::read(pass[0], plates, sizeof plates);
    for (ssize_t i = 0; i < n; ++i) {
      if (plates[i] == '\n') continue;
      const Order& o = kOrders[static_cast<std::size_t>(plates[i] - '1')];
      std::printf("waiter: served the %s to table %d\n", o.dish, o.table);
      ++served;
    }
    if (served == kOrders.size()) {
      waiter.remove_reader(pass[0]);
      waiter.stop();
    }
  });

  waiter.run_forever();
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cooks.join();
  std::printf("waiter: %zu tables served in %.1f s, the time of the slowest dish\n", served, took);
  for (int fd : {tickets[0], tickets[1], pass[0], pass[1]}) ::close(fd);
}
