// except* in C++: an ExceptionGroup from a TaskGroup, handled by type with split<E>() and subgroup<E>()
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include <corio/corio.hpp>

// Two kinds of failure a caller treats differently: a refused connection is
// worth a retry later, a bad reply is a bug to report.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct BadReply : std::runtime_error {
  using std::runtime_error::runtime_error;
};

corio::Coro<> fetch(std::string service, double seconds, int outcome) {
  co_await corio::sleep(seconds);
  if (outcome == 1) throw Refused(service + ": connection refused");
  if (outcome == 2) throw BadReply(service + ": reply is not JSON");
}

// The errors of one group (or part of one), a line each.
void list(const char* heading, const corio::ExceptionGroup& group) {
  std::printf("%s (%zu):\n", heading, group.exceptions().size());
  for (const std::exception_ptr& error : group.exceptions()) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::printf("  %s\n", e.what());
    }
  }
}

corio::Coro<> start(corio::TaskGroup& group) {
  group.create_task(fetch("users", 0.1, 1));
  group.create_task(fetch("orders", 0.1, 2));
  group.create_task(fetch("stock", 0.1, 1));
  group.create_task(fetch("prices", 0.5, 0));  // cancelled by the failures
  co_return;
}

// Python:
//   try:
//       async with asyncio.TaskGroup() as tg: ...
//   except* Refused as eg:  ...retry later...
//   except* BadReply as eg: ...report...
corio::Coro<> main_coro() {
  corio::TaskGroup group;
  try {
    co_await group.run(start(group));
  } catch (const corio::ExceptionGroup& eg) {
    std::printf("message(): %s\n", eg.message().c_str());
    std::printf("what():    %s\n", eg.what());
    auto [refused, rest] = eg.split<Refused>();  // except* Refused
    if (refused) list("retry later", *refused);
    if (rest) {
      auto [bad, others] = rest->split<BadReply>();  // except* BadReply
      if (bad) list("report as bugs", *bad);
      if (others) throw *others;  // what no except* clause matched goes on up
    }
    std::printf("every error handled; subgroup<BadReply>() alone holds %zu\n",
                eg.subgroup<BadReply>()->exceptions().size());
  }
}

int main() { corio::run(main_coro()); }
