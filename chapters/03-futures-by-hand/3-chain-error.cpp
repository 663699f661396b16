// When a step fails: every level passes the error on by hand, or it is lost
//
// The same chain as before, but the orders service is down: its future
// completes with an exception. The careful chain catches it where it lands
// and hands it to `total`. The careless chain forgets one try block: the
// exception escapes a done-callback, the loop reports it and goes on, and
// `total` is never completed. Nothing is left that could complete it, and
// the loop says so.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <corio/loop/diagnostics.hpp>
#include <corio/errors.hpp>
#include <corio/tasks/future.hpp>
#include <corio/loop/loop.hpp>

namespace {

corio::Future<std::string> fetch_user(corio::Loop& loop, int id) {
  corio::Future<std::string> user(loop);
  loop.call_later(0.5, [user, id]() mutable { user.set_result("user " + std::to_string(id)); });
  return user;
}

corio::Future<std::vector<double>> fetch_orders(corio::Loop& loop, const std::string&) {
  corio::Future<std::vector<double>> orders(loop);
  loop.call_later(0.5, [orders]() mutable { orders.set_exception(std::runtime_error("orders service: 503")); });
  return orders;
}

double add_up(const std::vector<double>& prices) {
  double sum = 0;
  for (double p : prices) sum += p;
  return sum;
}

corio::Future<double> careful_total(corio::Loop& loop, int user_id) {
  corio::Future<double> total(loop);
  fetch_user(loop, user_id).add_done_callback([&loop, total](corio::Future<std::string>& f) mutable {
    std::string user;
    try {
      user = f.result();
    } catch (...) {
      total.set_exception(std::current_exception());
      return;
    }
    fetch_orders(loop, user).add_done_callback([total](corio::Future<std::vector<double>>& f) mutable {
      try {
        total.set_result(add_up(f.result()));
      } catch (...) {
        total.set_exception(std::current_exception());
      }
    });
  });
  return total;
}

// The same, minus the try blocks: an error now escapes a callback.
corio::Future<double> careless_total(corio::Loop& loop, int user_id) {
  corio::Future<double> total(loop);
  fetch_user(loop, user_id).add_done_callback([&loop, total](corio::Future<std::string>& f) mutable {
    fetch_orders(loop, f.result()).add_done_callback([total](corio::Future<std::vector<double>>& f) mutable {
      total.set_result(add_up(f.result()));
    });
  });
  return total;
}

void run(const char* label, corio::Future<double> (*chain)(corio::Loop&, int)) {
  corio::Loop loop;
  const double start = loop.time();
  corio::Future<double> total = chain(loop, 42);
  total.add_done_callback([&](corio::Future<double>& f) {
    try {
      std::printf("%s: %.1f s  total: %.2f\n", label, loop.time() - start, f.result());
    } catch (const std::exception& e) {
      std::printf("%s: %.1f s  the total failed: %s\n", label, loop.time() - start, e.what());
    }
    loop.stop();
  });
  try {
    loop.run_forever();
  } catch (const corio::RuntimeError& e) {
    std::printf("%s: %.1f s  run_forever() threw: %s\n", label, loop.time() - start, e.what());
  }
  std::printf("%s: the total is %s\n", label, total.done() ? "done" : "still pending, and always will be");
}

}  // namespace

int main() {
  // What the loop reports (an exception that escaped a callback) goes to
  // stderr; print it here, in line with the rest.
  corio::set_diagnostic_sink([](std::string_view message) {
    std::printf("the loop reports: %.*s\n", static_cast<int>(message.size()), message.data());
  });
  run("careful", careful_total);
  run("careless", careless_total);
}
