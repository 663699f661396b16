// One loop per core: two loops on two threads serve one port through SO_REUSEPORT
#include <cstdio>
#include <cstdlib>
#include <future>
#include <latch>
#include <string>
#include <vector>

#include <corio/corio.hpp>

constexpr int kLoops = 2;  // a server would take std::thread::hardware_concurrency()
constexpr int kRequests = 1000;
constexpr int kInFlight = 50;

std::promise<int> port_promise;  // loop 0's port, which the other loops bind too
std::shared_future<int> port_future = port_promise.get_future().share();
std::latch listening(kLoops);  // every loop's server is listening
int served[kLoops] = {};       // each written by its own loop's thread only, read after join()

// The body each loop runs: a server of its own, on the same port as the others.
corio::Coro<> serve(int index) {
  // Loop 0 lets the system pick the port; the others wait for it off the loop (blocking the loop would stall it).
  int port = 0;
  // The lambda is named first: GCC 12 destroys a lambda with captures twice when it is made inside a co_await.
  auto wait_for_port = [f = port_future] { return f.get(); };
  if (index > 0) port = co_await corio::to_thread(wait_for_port);
  corio::http::Router router;
  router.get("/", [index](corio::http::Request) -> corio::Coro<corio::http::Response> {
    ++served[index];
    co_return corio::http::Response::text(200, "loop " + std::to_string(index));
  });
  corio::http::ServerOptions options;
  options.reuse_port = true;
  corio::http::Server server = co_await corio::http::Server::start(std::move(router), "127.0.0.1", port, options);
  if (index == 0) port_promise.set_value(server.port());
  listening.count_down();
  co_await server.serve_forever();  // until LoopThreads::stop() cancels it
}

corio::Coro<int> call(corio::http::Client& client, corio::Semaphore& limit, std::string url) {
  auto permit = co_await limit.hold();
  corio::http::Response response = co_await client.get(url);
  co_return response.body.rfind("loop ", 0) == 0 ? std::atoi(response.body.c_str() + 5) : -1;  // "loop N"
}

struct Load {
  std::vector<int> answers_from = std::vector<int>(kLoops);  // the client's count of each loop's answers
  double seconds = 0;
};

// The client, on a loop of its own on the main thread: every request on a new connection (max_keepalive 0), so that
// the kernel picks a listener for each.
corio::Coro<Load> load(int port) {
  corio::http::ClientOptions options;
  options.limits = {.max_connections = kInFlight, .max_keepalive = 0};
  corio::http::Client client(options);
  corio::Semaphore limit(kInFlight);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  double began = corio::get_running_loop().time();
  std::vector<corio::Coro<int>> calls;
  for (int i = 0; i < kRequests; ++i) calls.push_back(call(client, limit, url));
  Load result;
  for (int from : co_await corio::gather(std::move(calls))) {
    if (from >= 0 && from < kLoops) ++result.answers_from[static_cast<std::size_t>(from)];
  }
  result.seconds = corio::get_running_loop().time() - began;
  co_await client.aclose();
  co_return result;
}

int main() {
  // Real clocks: these loops talk to each other across threads, so none may jump ahead to its own timeouts.
  corio::LoopThreads loops(kLoops, serve, {.clock = corio::ClockKind::Real});
  listening.wait();
  std::printf("%d loops on %d threads, each with its own server, all listening on one port with SO_REUSEPORT\n", kLoops,
              kLoops);
  Load result = corio::run(load(port_future.get()), {.clock = corio::ClockKind::Real});
  loops.stop();
  loops.join();

  int answered = 0;
  for (int n : result.answers_from) answered += n;
  std::printf(
      "%d requests from a loop on the main thread, each on a new connection, %d at a time: %d answered in %.2f s\n",
      kRequests, kInFlight, answered, result.seconds);
  bool every_loop = true;
  for (int i = 0; i < kLoops; ++i) {
    std::printf("loop %d served %d requests (the client counted %d answers from it)\n", i, served[i],
                result.answers_from[static_cast<std::size_t>(i)]);
    every_loop = every_loop && served[i] > 0;
  }
  std::printf(
      "every loop served some: %s (the kernel picks a listener for each new connection by hashing its "
      "addresses and ports)\n",
      every_loop ? "yes" : "no");
}
