// C01 1000 API calls: one at a time with a blocking client (sampled) vs 100 in flight with corio
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <corio/corio.hpp>

constexpr int kCalls = 1000;
constexpr int kInFlight = 100;
constexpr int kSample = 5;  // blocking calls actually made; 1000 of them would take minutes
const std::string kPath = "/delay/200";

// The test server on a thread of its own, its loop on the real clock: blocking_get blocks the thread that calls
// it, so the server it calls cannot run on that thread.
class ServerThread {
 public:
  ServerThread() : thread_([this] { corio::run(serve(), {.clock = corio::ClockKind::Real}); }) {
    port_ = started_.get_future().get();
  }
  ~ServerThread() {
    remote_.call_soon_threadsafe([stop = stop_] { stop->set(); });
    thread_.join();
  }
  int port() const { return port_; }

 private:
  corio::Coro<> serve() {
    corio::Event stop;
    corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    stop_ = &stop;
    remote_ = corio::get_running_loop().remote();
    started_.set_value(server.port());  // publishes stop_ and remote_ to the constructor's thread
    co_await stop.wait();
    server.close();
    co_await server.wait_closed();
  }
  std::promise<int> started_;
  corio::Event* stop_ = nullptr;
  corio::RemoteLoop remote_;
  int port_ = 0;
  std::thread thread_;  // last: it starts once the members it uses exist
};

// What the guide measures "one at a time": each call blocks until its answer (new connection each, like
// requests.get without a session).
double sequential_sample() {
  ServerThread server;
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + kPath;
  auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < kSample; ++i) corio::http::blocking_get(url).raise_for_status();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
}

corio::Coro<bool> call(corio::http::Client& client, corio::Semaphore& limit, std::string url) {
  auto permit = co_await limit.hold();
  corio::http::Response response = co_await client.get(url);
  co_return response.is_success();
}

// 100 in flight on one loop, client and server together (so the virtual clock can time it in a test).
corio::Coro<double> concurrent_calls() {
  corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0);
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + kPath;
  corio::http::ClientOptions options;
  options.limits = {.max_connections = kInFlight, .max_keepalive = kInFlight};
  corio::http::Client client(options);
  corio::Semaphore limit(kInFlight);

  double began = corio::get_running_loop().time();
  std::vector<corio::Coro<bool>> calls;
  for (int i = 0; i < kCalls; ++i) calls.push_back(call(client, limit, url));
  std::vector<bool> ok = co_await corio::gather(std::move(calls));
  double took = corio::get_running_loop().time() - began;
  int succeeded = 0;
  for (bool b : ok) succeeded += b;
  std::printf("100 in flight with corio: %d calls, %d answered 200, in %.2f s on %zu connections\n", kCalls, succeeded,
              took, client.connections_opened());

  co_await client.aclose();
  server.close();
  co_await server.wait_closed();
  co_return took;
}

int main() {
  std::printf("%d calls to an API that answers in 0.2 s\n", kCalls);
  double sample = sequential_sample();
  double sequential = sample / kSample * kCalls;
  std::printf("one at a time with blocking_get: %d calls measured, %.2f s (%.3f s each)\n", kSample, sample,
              sample / kSample);
  std::printf("  the other %d were not run: extrapolated, %d calls would take about %.0f s (%d min %02d s)\n",
              kCalls - kSample, kCalls, sequential, static_cast<int>(sequential) / 60,
              static_cast<int>(sequential) % 60);
  double concurrent = corio::run(concurrent_calls());
  std::printf("corio was about %.0fx faster\n", sequential / concurrent);
}
