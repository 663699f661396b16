// Many connections in flight: 200 requests, each on a connection of its own, at most 50 at once
// (a Semaphore), to a server that takes 0.1 s to answer each; the time is that of 4 rounds, not 200
#include <cstdio>
#include <string>
#include <vector>

#include <corio/corio.hpp>

constexpr int kRequests = 200;
constexpr int kAtOnce = 50;
constexpr double kServiceTime = 0.1;

int open_now = 0, open_peak = 0;

// The server: reads "N\n", thinks for 0.1 s, answers "N*N\n" and closes.
corio::Coro<> square(corio::StreamReader reader, corio::StreamWriter writer) {
  open_peak = std::max(open_peak, ++open_now);
  std::string line = co_await reader.readline();
  co_await corio::sleep(kServiceTime);
  long n = std::stol(line);
  writer.write(std::to_string(n * n) + "\n");
  co_await writer.drain();
  writer.close();
  --open_now;
}

corio::Coro<long> ask(int port, corio::Semaphore& limit, long n) {
  auto hold = co_await limit.hold();  // released when this coroutine returns
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", port);
  writer.write(std::to_string(n) + "\n");
  std::string answer = co_await reader.readline();
  writer.close();
  co_await writer.wait_closed();
  co_return std::stol(answer);
}

corio::Coro<> main_coro() {
  corio::Server server = co_await corio::start_server(square, "127.0.0.1", 0, {.backlog = kAtOnce});
  corio::Semaphore limit(kAtOnce);
  corio::Loop& loop = corio::get_running_loop();
  double start = loop.time();
  std::vector<corio::Coro<long>> requests;
  for (long n = 1; n <= kRequests; ++n) requests.push_back(ask(server.port(), limit, n));
  std::vector<long> answers = co_await corio::gather(std::move(requests));
  double took = loop.time() - start;

  long sum = 0;
  for (long a : answers) sum += a;
  std::printf("%d requests, at most %d at once: sum of the answers %ld (expected %ld)\n", kRequests, kAtOnce, sum,
              1L * kRequests * (kRequests + 1) * (2 * kRequests + 1) / 6);
  std::printf("connections open on the server at once, at most: %d\n", open_peak);
  std::printf("took %.2f s: %d rounds of %.1f s, where one connection after another would take %.0f s\n", took,
              kRequests / kAtOnce, kServiceTime, kRequests * kServiceTime);
  server.close();
  co_await server.wait_closed();
}

int main() { corio::run(main_coro()); }
