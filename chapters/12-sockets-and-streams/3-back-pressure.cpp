// Back-pressure end to end: a fast writer and a slow reader. The writer's drain() waits while its
// transport holds more than the high-water mark; the reader's transport stops reading the socket
// while its StreamReader holds more than twice its limit. Nothing grows without bound
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include <corio/corio.hpp>

constexpr std::size_t kTotal = 1 << 20;  // 1 MiB
constexpr std::size_t kWrite = 64 * 1024;
constexpr std::size_t kLimit = 16 * 1024;  // the server's StreamReader limit

// Small kernel buffers, so that the pressure reaches the program soon.
void small_socket_buffers(int fd) {
  int size = 16 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

std::size_t received = 0;
bool in_order = true, reading_paused = false;
corio::Event reader_done;

// The slow reader: kLimit bytes at a time, a millisecond's pause between.
corio::Coro<> slow_reader(corio::StreamReader reader, corio::StreamWriter writer) {
  small_socket_buffers(writer.transport().fd());
  for (;;) {
    co_await corio::sleep(0.001);
    reading_paused = reading_paused || !writer.transport().is_reading();
    std::string data = co_await reader.read(kLimit);
    if (data.empty()) break;
    for (char c : data) in_order = in_order && c == static_cast<char>(received++ % 251);
  }
  writer.close();
  reader_done.set();
}

corio::Coro<> main_coro() {
  corio::Server server = co_await corio::start_server(slow_reader, "127.0.0.1", 0, {.limit = kLimit});
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
  small_socket_buffers(writer.transport().fd());
  auto [low, high] = writer.transport().get_write_buffer_limits();
  std::printf("writer: high-water mark %zu, low-water mark %zu (asyncio's defaults)\n", high, low);

  std::string data(kTotal, '\0');
  for (std::size_t i = 0; i < kTotal; ++i) data[i] = static_cast<char>(i % 251);
  std::size_t most_buffered = 0;
  int waits = 0;
  for (std::size_t at = 0; at < kTotal; at += kWrite) {
    writer.write(std::string_view(data).substr(at, kWrite));
    std::size_t buffered = writer.transport().get_write_buffer_size();
    most_buffered = std::max(most_buffered, buffered);
    if (buffered > high) ++waits;  // this drain() will wait for the low-water mark
    co_await writer.drain();
  }
  writer.write_eof();
  std::printf("writer: %zu bytes in %zu writes of %zu, each followed by drain()\n", kTotal, kTotal / kWrite, kWrite);
  std::printf("writer: drain() had to wait: %s\n", waits > 0 ? "yes" : "no");
  std::printf("writer: its buffer never held more than the high-water mark plus one write: %s\n",
              most_buffered <= high + kWrite ? "yes" : "no");

  co_await reader_done.wait();
  std::printf("reader: limit %zu; its transport paused reading while more than twice that waited: %s\n", kLimit,
              reading_paused ? "yes" : "no");
  std::printf("reader: got %zu bytes, all in order: %s\n", received, in_order ? "yes" : "no");
  writer.close();
  co_await writer.wait_closed();
  server.close();
  co_await server.wait_closed();
}

int main() { corio::run(main_coro()); }
