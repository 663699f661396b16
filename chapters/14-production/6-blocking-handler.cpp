// A handler that blocks: debug mode names the request's task and how long it held the loop
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include <corio/corio.hpp>

// Names the connection's task after the request it now serves, so that a
// report about its steps says which request (E11: name your tasks).
corio::http::Handler named(corio::http::Handler handler) {
  return [handler](corio::http::Request request) -> corio::Coro<corio::http::Response> {
    corio::current_task().set_name(request.method + " " + std::string(request.path()));
    co_return co_await handler(std::move(request));
  };
}

corio::Coro<corio::http::Response> fast(corio::http::Request) {
  co_await corio::sleep(0.01);  // a lookup that awaits, as it should
  co_return corio::http::Response::text(200, "fast");
}

// The bug: after an await, a call that blocks (a synchronous library call,
// here a sleep of the thread) holds the whole loop for 150 ms.
corio::Coro<corio::http::Response> report(corio::http::Request) {
  co_await corio::sleep(0.01);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  co_return corio::http::Response::text(200, "report");
}

corio::Coro<> main_coro() {
  corio::http::Router router;
  router.get("/fast", named(fast)).get("/report", named(report));
  corio::http::Server server = co_await corio::http::Server::start(router, "127.0.0.1", 0);
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  corio::http::Client client;
  auto get = [&](std::string path) -> corio::Coro<> {
    corio::http::Response r = co_await client.get(base + path);
    std::printf("GET %s -> %d '%s'\n", path.c_str(), r.status, r.body.c_str());
  };
  co_await corio::gather(get("/fast"), get("/report"), get("/fast"));
  co_await client.aclose();
  server.close();
  co_await server.wait_closed();
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // Debug mode's reports, here on stdout among the program's own lines.
  corio::set_diagnostic_sink(
      [](std::string_view message) { std::printf("debug: %.*s\n", static_cast<int>(message.size()), message.data()); });
  corio::LoopOptions options;
  options.debug = true;                  // or CORIO_DEBUG=1 in the environment
  options.slow_callback_duration = 0.1;  // asyncio's default: report a step of 100 ms or more
  corio::run(main_coro(), options);
}
