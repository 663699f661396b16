// PriorityQueue: tickets come out most urgent first (smallest number), even one that arrives late
#include <cstdio>
#include <string>
#include <utility>

#include <corio/corio.hpp>
#include <corio/queues/queue.hpp>

using Ticket = std::pair<int, std::string>;  // (priority, what): pairs compare by priority first

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<> support_desk(corio::PriorityQueue<Ticket>& tickets) {
  for (;;) {
    Ticket ticket = co_await tickets.get();
    if (ticket.first < 0) co_return;
    std::printf("%.1f  handling [%d] %s\n", elapsed(), ticket.first, ticket.second.c_str());
    co_await corio::sleep(0.5);
    tickets.task_done();
  }
}

corio::Coro<> late_ticket(corio::PriorityQueue<Ticket>& tickets) {
  co_await corio::sleep(1.2);
  std::printf("%.1f  new ticket [0] site down\n", elapsed());
  tickets.put_nowait({0, "site down"});
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  corio::PriorityQueue<Ticket> tickets;
  for (Ticket t : {Ticket{3, "typo on the about page"}, Ticket{1, "login fails"}, Ticket{2, "slow search"},
                   Ticket{3, "new logo"}, Ticket{1, "payment error"}}) {
    tickets.put_nowait(t);
  }
  std::printf("%.1f  %zu tickets waiting\n", elapsed(), tickets.qsize());
  corio::Task<> desk = corio::create_task(support_desk(tickets));
  corio::Task<> late = corio::create_task(late_ticket(tickets));
  co_await late;
  co_await tickets.join();
  std::printf("%.1f  every ticket handled\n", elapsed());
  tickets.put_nowait({-1, "closing"});
  co_await desk;
}

int main() { corio::run(main_coro()); }
