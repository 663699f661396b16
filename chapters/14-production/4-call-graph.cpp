// A server that hangs, and the dump that says why: every task's call graph (asyncio 3.14's print_call_graph)
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include <unistd.h>

#include <corio/corio.hpp>

// A cache in front of a slow store: readers take the lock for a moment; the
// refresher swaps in a fresh value from the refill queue.
struct Cache {
  corio::Lock lock;
  corio::Queue<std::string> refills;
  std::string value = "v1";
};

corio::Coro<std::string> read_cache(Cache& cache) {
  co_await cache.lock.acquire();
  std::string value = cache.value;
  cache.lock.release();
  co_return value;
}

corio::Coro<std::string> lookup(Cache& cache, std::string key) {
  std::string value = co_await read_cache(cache);
  co_return key + "=" + value;
}

corio::Coro<> handle_request(Cache& cache, int n) {
  std::string answer = co_await lookup(cache, "user:" + std::to_string(n));
  std::printf("%.3f  handler-%d answered %s\n", corio::get_running_loop().time(), n, answer.c_str());
}

// The bug: the refresher takes the lock, then waits for fresh data holding it.
corio::Coro<> refresh_cache(Cache& cache) {
  co_await cache.lock.acquire();
  cache.value = co_await cache.refills.get();
  cache.lock.release();
}

// One client's connection hands its request to a handler task and waits for it.
corio::Coro<> connection(Cache& cache, int n) {
  corio::Task<> handler = corio::create_task(handle_request(cache, n), "handler-" + std::to_string(n));
  co_await handler;
}

// Waits for the next client on a pipe standing in for a listening socket.
corio::Coro<> accept_clients(int fd) {
  for (;;) co_await corio::readable(fd);
}

corio::Coro<> tick() {
  for (;;) co_await corio::sleep(1.0);
}

corio::Coro<> serve(bool wait_for_signal) {
  corio::Loop& loop = corio::get_running_loop();
  Cache cache;
  int listener[2];
  if (::pipe(listener) != 0) throw std::runtime_error("pipe() failed");
  corio::Task<> refresher = corio::create_task(refresh_cache(cache), "cache-refresher");
  corio::Task<> acceptor = corio::create_task(accept_clients(listener[0]), "acceptor");
  corio::Task<> ticker = corio::create_task(tick(), "ticker");
  corio::Task<> first = corio::create_task(connection(cache, 1), "connection-1");
  corio::Task<> second = corio::create_task(connection(cache, 2), "connection-2");

  // A watchdog: nothing answered in 2 s. The dump is a plain function, so a
  // timer can call it, or a SIGUSR1 handler on the loop, or a task.
  auto dump_and_refill = [&](const char* who, const char* why) {
    std::printf("%.3f  %s: %s; every task:\n", loop.time(), who, why);
    corio::print_all_call_graphs(loop, stdout);
    std::printf("%.3f  %s: the refresher holds the lock and waits for a refill: sending one\n", loop.time(), who);
    std::fflush(stdout);
    cache.refills.put_nowait("v2");
  };
  if (wait_for_signal) {
    // Hung until someone outside asks: `kill -USR1 <pid>`.
    corio::add_signal_handler(loop, SIGUSR1, [&] { dump_and_refill("SIGUSR1", "asked for a dump"); });
    std::printf("hung: send SIGUSR1 for a dump (kill -USR1 %d)\n", static_cast<int>(::getpid()));
    std::fflush(stdout);
  } else {
    loop.call_later(2.0, [&] { dump_and_refill("watchdog", "no request answered in 2 s"); });
  }
  co_await first;
  co_await second;
  std::printf("%.3f  both requests answered\n", loop.time());
  acceptor.cancel();
  ticker.cancel();
  ::close(listener[0]);
  ::close(listener[1]);
}

// With --wait, no watchdog: the program hangs until it gets SIGUSR1.
int main(int argc, char** argv) {
  bool wait_for_signal = argc > 1 && std::strcmp(argv[1], "--wait") == 0;
  corio::run(serve(wait_for_signal));
}
