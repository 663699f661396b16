// Chapter 01's pass (a pipe), awaited: a coroutine reads each dish as the kitchen puts it there
//
// Chapter 01's waiter watched the pass with a callback: add_reader, a lambda
// that reads and counts, remove_reader once every dish was out. Here the
// waiting is one line of a coroutine, co_await corio::readable(fd), and what
// was the callback is the code after it, in order, with its loop and its
// local variables. The kitchen is a timer that puts a dish on the pass now
// and then and closes its end when the last is out. The coroutine wakes
// once per dish and once for the end of the file: between those, the loop
// waits in the poller and runs nothing.
#include <unistd.h>

#include <cstdio>
#include <string>

#include <corio/corio.hpp>

namespace {

struct Dish {
  double ready_at;
  const char* name;
};

constexpr Dish kDishes[] = {{0.1, "salad"}, {0.2, "soup"}, {0.3, "steak"}};

int wakes = 0;

// What the pass holds once it is readable: "" when the kitchen closed it.
corio::Coro<std::string> take_from_pass(int pass) {
  co_await corio::readable(pass);
  ++wakes;
  char plates[64];
  ssize_t n = ::read(pass, plates, sizeof plates);
  co_return std::string(plates, n > 0 ? static_cast<std::size_t>(n) : 0);
}

corio::Coro<> waiter(int pass) {
  corio::Loop& loop = corio::get_running_loop();
  int served = 0;
  for (;;) {
    std::string plates = co_await take_from_pass(pass);
    if (plates.empty()) break;
    std::printf("%.1f s  waiter: served the %s", loop.time(), plates.c_str());
    ++served;
  }
  std::printf("%.1f s  waiter: the kitchen closed the pass; %d dishes served, %d wake-ups\n", loop.time(), served,
              wakes);
}

corio::Coro<> restaurant() {
  int pass[2];
  if (::pipe(pass) != 0) throw corio::RuntimeError("pipe() failed");
  corio::Loop& loop = corio::get_running_loop();
  for (const Dish& d : kDishes) {
    loop.call_later(d.ready_at, [in = pass[1], d] {
      std::string plate = std::string(d.name) + "\n";
      (void)::write(in, plate.data(), plate.size());
    });
  }
  loop.call_later(0.4, [in = pass[1]] { ::close(in); });
  std::printf("0.0 s  waiter: waiting at the pass\n");
  co_await waiter(pass[0]);
  ::close(pass[0]);
}

}  // namespace

int main() { corio::run(restaurant()); }
