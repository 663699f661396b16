// C02 a Queue-based worker pool vs synchronous code on the same server, in requests per second
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <corio/corio.hpp>

constexpr int kWorkers = 10;
constexpr int kSyncRequests = 200;
constexpr int kPoolRequests = 2000;
const std::string kPath = "/delay/1";  // the API answers after 1 ms, as over a fast network

// The server on a thread of its own, its loop on the real clock (as in 5-thousand-calls): both ways of calling it
// below use it, and the synchronous one blocks its own thread.
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
    started_.set_value(server.port());
    co_await stop.wait();
    server.close();
    co_await server.wait_closed();
  }
  std::promise<int> started_;
  corio::Event* stop_ = nullptr;
  corio::RemoteLoop remote_;
  int port_ = 0;
  std::thread thread_;
};

double seconds_since(std::chrono::steady_clock::time_point began) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
}

// Synchronous: one request after another, each waiting for its answer.
double synchronous(const std::string& url) {
  auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < kSyncRequests; ++i) corio::http::blocking_get(url).raise_for_status();
  return kSyncRequests / seconds_since(began);
}

// A worker takes URLs from the queue until it is empty; every worker shares one Client.
corio::Coro<> worker(corio::Queue<std::string>& queue, corio::http::Client& client, int& failed) {
  while (!queue.empty()) {
    std::string url = queue.get_nowait();
    corio::http::Response response = co_await client.get(url);
    failed += !response.is_success();
    queue.task_done();
  }
}

corio::Coro<double> worker_pool(std::string url) {
  corio::Queue<std::string> queue;
  for (int i = 0; i < kPoolRequests; ++i) queue.put_nowait(url);
  corio::http::Client client;
  int failed = 0;
  auto began = std::chrono::steady_clock::now();
  std::vector<corio::Task<>> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.push_back(corio::create_task(worker(queue, client, failed), "worker-" + std::to_string(i + 1)));
  }
  co_await queue.join();
  double rate = kPoolRequests / seconds_since(began);
  for (corio::Task<>& w : workers) co_await w;
  if (failed > 0) std::printf("%d requests failed\n", failed);
  co_await client.aclose();
  co_return rate;
}

int main() {
  ServerThread server;
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + kPath;
  std::printf("one server answering GET %s after 1 ms, on its own thread\n", kPath.c_str());
  double sync_rate = synchronous(url);
  std::printf("synchronous code, one blocking_get after another: %d requests, %.0f requests/s\n", kSyncRequests,
              sync_rate);
  // The real clock, whatever CORIO_CLOCK says: this loop waits on a server that runs on real time.
  double pool_rate = corio::run(worker_pool(url), {.clock = corio::ClockKind::Real});
  std::printf("a worker pool, %d workers on one Queue and one Client: %d requests, %.0f requests/s\n", kWorkers,
              kPoolRequests, pool_rate);
  std::printf("the worker pool served %.1fx the requests per second (the guide: 8,247 vs 1,203, about 6x)\n",
              pool_rate / sync_rate);
}
