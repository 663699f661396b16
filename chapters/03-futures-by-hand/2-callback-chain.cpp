// Callback chaining: user, then orders, then a total, three callbacks deep
//
// Three "I/O" calls, each a future completed by a call_later half a second
// later, and each needing the result of the one before it. Without anything
// but futures, every next step is written inside the done-callback of the
// step before: the code moves right as the work moves forward, and every
// level must catch and pass on errors itself.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <corio/tasks/future.hpp>
#include <corio/loop/loop.hpp>

namespace {

double start = 0;

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
  loop.call_later(0.5, [orders]() mutable { orders.set_result(std::vector<double>{12.5, 30.0, 7.25}); });
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

// The chain. `total` is threaded through every level by hand, and every
// level catches its step's error and passes it on by hand.
corio::Future<double> total_for(corio::Loop& loop, int user_id) {
  corio::Future<double> total(loop);
  fetch_user(loop, user_id).add_done_callback([&loop, total](corio::Future<User>& f) mutable {
    User user;
    try {
      user = f.result();
    } catch (...) {
      total.set_exception(std::current_exception());
      return;
    }
    fetch_orders(loop, user).add_done_callback([&loop, total](corio::Future<std::vector<double>>& f) mutable {
      std::vector<double> prices;
      try {
        prices = f.result();
      } catch (...) {
        total.set_exception(std::current_exception());
        return;
      }
      fetch_total(loop, prices).add_done_callback([total](corio::Future<double>& f) mutable {
        try {
          total.set_result(f.result());
        } catch (...) {
          total.set_exception(std::current_exception());
        }
      });
    });
  });
  return total;
}

}  // namespace

int main() {
  corio::Loop loop;
  start = loop.time();
  corio::Future<double> total = total_for(loop, 42);
  total.add_done_callback([&loop](corio::Future<double>& f) {
    std::printf("%.1f s  total: %.2f\n", loop.time() - start, f.result());
    loop.stop();
  });
  loop.run_forever();
}
