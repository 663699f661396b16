// Graceful shutdown: on SIGTERM or SIGINT the server stops accepting, lets requests in flight finish within a deadline,
// cancels the rest, exits 0
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <corio/corio.hpp>

// GET /work/<ms>: says it started, works ms milliseconds (an await), answers.
corio::Coro<corio::http::Response> work(corio::http::Request request) {
  std::string ms(request.path().substr(std::strlen("/work/")));
  std::printf("started GET /work/%s\n", ms.c_str());
  co_await corio::sleep(std::atof(ms.c_str()) / 1000);
  co_return corio::http::Response::text(200, "worked " + ms + " ms");
}

// Stops the server gracefully: no new connection, idle ones closed, each
// request in flight answered (with Connection: close) if it ends within
// deadline seconds; after that, the handlers still running are cancelled and
// their connections closed without an answer. Nothing half-written, unless
// a client reads nothing for a second more: its connection is then dropped.
corio::Coro<> shut_down(corio::http::Server& server, const char* why, double deadline) {
  std::size_t open = server.connections();
  server.close();
  std::printf("%s: no more connections; %zu open, deadline %.1f s\n", why, open, deadline);
  try {
    co_await corio::wait_for(server.wait_closed(), deadline);
    std::printf("every request in flight was answered within %.1f s\n", deadline);
    co_return;
  } catch (const corio::TimeoutError&) {
    std::printf("deadline passed: cancelling the %zu requests still running\n", server.connections());
  }
  server.close_clients();
  try {
    co_await corio::wait_for(server.wait_closed(), 1.0);  // what was written goes out first
    co_return;
  } catch (const corio::TimeoutError&) {
    std::printf("%zu clients read nothing for 1 s: dropping their connections\n", server.connections());
  }
  server.abort_clients();
  co_await server.wait_closed();
}

// What `make run` shows, the program being its own client: three requests,
// then SIGTERM to itself once all three are in flight.
corio::Coro<> clients(std::string base, corio::Event& all_started) {
  corio::http::Client client;
  auto one = [&](std::string path) -> corio::Coro<> {
    try {
      corio::http::Response r = co_await client.get(base + path);
      std::printf("client: GET %s -> %d '%s'\n", path.c_str(), r.status, r.body.c_str());
    } catch (const corio::ConnectionError&) {
      std::printf("client: GET %s -> no answer: the connection was closed\n", path.c_str());
    }
  };
  auto signal_when_all_started = [&]() -> corio::Coro<> {
    co_await all_started.wait();
    ::kill(::getpid(), SIGTERM);
  };
  co_await corio::gather(one("/work/100"), one("/work/200"), one("/work/60000"), signal_when_all_started());
  co_await client.aclose();
}

corio::Coro<> main_coro(bool wait, double deadline) {
  corio::Loop& loop = corio::get_running_loop();
  int started = 0;
  corio::Event all_started;  // the own clients' three requests are in flight
  corio::http::Router router;
  router.get("/work/*", [&started, &all_started](corio::http::Request request) {
    if (++started == 3) all_started.set();
    return work(std::move(request));
  });
  corio::http::Server server = co_await corio::http::Server::start(router, "127.0.0.1", 0);
  corio::Event stop;
  int stop_signal = 0;
  for (int signum : {SIGTERM, SIGINT}) {
    corio::add_signal_handler(loop, signum, [&stop, &stop_signal, signum] {
      stop_signal = signum;
      stop.set();
    });
  }
  std::printf("listening on port %d\n", server.port());
  std::optional<corio::Task<void>> own_clients;
  if (!wait)
    own_clients = corio::create_task(clients("http://127.0.0.1:" + std::to_string(server.port()), all_started));

  co_await stop.wait();
  co_await shut_down(server, stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", deadline);
  if (own_clients) co_await *own_clients;
  for (int signum : {SIGTERM, SIGINT}) corio::remove_signal_handler(loop, signum);
  std::printf("closed: %zu requests answered, %zu connections open; exit 0\n", server.requests_served(),
              server.connections());
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  bool wait = argc > 1 && std::strcmp(argv[1], "--wait") == 0;
  double deadline = argc > 2 ? std::atof(argv[2]) : 1.0;
  corio::run(main_coro(wait, deadline));
}
