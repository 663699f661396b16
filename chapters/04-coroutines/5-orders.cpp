// The chapter-03 chain (user, then orders, then a total) as straight-line code
//
// The same three services as chapter 03's callback chain: each returns a
// Future at once and completes it half a second later. The chain that took
// three nested done-callbacks there is three lines here, and an error needs
// one try block, in the one place that wants to handle it.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <corio/corio.hpp>

namespace {

double start = 0;
bool orders_service_down = false;

struct User {
  int id;
  std::string name;
};

corio::Future<User> fetch_user(corio::Loop& loop, int id) {
  std::printf("%.1f s  fetching user %d\n", loop.time() - start, id);
  corio::Future<User> user(loop);
  loop.call_later(0.5, [user, id]() mutable { user.set_result(User{id, "alice"}); });
  return user;
}

corio::Future<std::vector<double>> fetch_orders(corio::Loop& loop, const User& user) {
  std::printf("%.1f s  fetching %s's orders\n", loop.time() - start, user.name.c_str());
  corio::Future<std::vector<double>> orders(loop);
  loop.call_later(0.5, [orders]() mutable {
    if (orders_service_down) {
      orders.set_exception(std::runtime_error("orders service: 503"));
    } else {
      orders.set_result(std::vector<double>{12.5, 30.0, 7.25});
    }
  });
  return orders;
}

corio::Future<double> fetch_total(corio::Loop& loop, const std::vector<double>& prices) {
  std::printf("%.1f s  asking the billing service to add up %zu orders\n", loop.time() - start, prices.size());
  corio::Future<double> total(loop);
  double sum = 0;
  for (double p : prices) sum += p;
  loop.call_later(0.5, [total, sum]() mutable { total.set_result(sum); });
  return total;
}

// Chapter 03's total_for, three callbacks deep there. Each co_await
// suspends here until the future is done; the loop resumes us then.
corio::Coro<double> total_for(corio::Loop& loop, int user_id) {
  User user = co_await fetch_user(loop, user_id);
  std::vector<double> prices = co_await fetch_orders(loop, user);
  co_return co_await fetch_total(loop, prices);
}

corio::Coro<> main_coro() {
  corio::Loop& loop = corio::get_running_loop();
  start = loop.time();
  double total = co_await total_for(loop, 42);
  std::printf("%.1f s  total: %.2f\n", loop.time() - start, total);

  std::printf("-- the orders service goes down\n");
  orders_service_down = true;
  start = loop.time();
  try {
    co_await total_for(loop, 42);
  } catch (const std::exception& e) {
    std::printf("%.1f s  the total failed: %s\n", loop.time() - start, e.what());
  }
}

}  // namespace

int main() { corio::run(main_coro()); }
