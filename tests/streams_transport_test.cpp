// @chapter 12
// The transport under the streams, on socketpair()s (no network, no
// threads): writes go out at once while nothing is buffered, the protocol
// is paused above the high-water mark and resumed at the low one, drain()
// waits exactly while the buffer is above the high mark, a reader pauses
// the transport's reading above 2 * limit and resumes it at the limit, and
// write_eof, close and abort end the connection as asyncio's do.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <corio/corio.hpp>
#include <corio/streams/detail/stream_protocol.hpp>

#include "support/corio_test.hpp"
#include "support/streams_test.hpp"

using corio::Coro;
using corio::StreamReader;
using corio::StreamWriter;
using corio::Transport;
using corio_test::error_message;
using corio_test::run;
using corio_test::throws;

namespace {


std::pair<int, int> socket_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) throw std::runtime_error("socketpair failed");
  return {fds[0], fds[1]};
}

// A stream over an fd, as open_connection makes one over its socket.
std::pair<StreamReader, StreamWriter> stream_over(int fd, std::size_t limit = StreamReader::kDefaultLimit) {
  StreamReader reader(limit);
  auto protocol = std::make_shared<corio::detail::StreamProtocol>(reader, nullptr);
  auto transport = Transport::make(corio::Socket(fd), protocol);
  return {reader, StreamWriter(transport, protocol, reader)};
}

// Records what the transport tells it.
struct Recorder : corio::Protocol {
  void connection_made(Transport&) override { events.push_back("made"); }
  void data_received(std::string_view data) override { received += data; }
  bool eof_received() override {
    events.push_back("eof");
    return keep_open;
  }
  void connection_lost(std::exception_ptr error) override { events.push_back(error ? "lost error" : "lost"); }
  void pause_writing() override { events.push_back("pause"); }
  void resume_writing() override { events.push_back("resume"); }
  std::vector<std::string> events;
  std::string received;
  bool keep_open = false;
};

// Reads everything the fd has, without blocking.
std::size_t drain_fd(int fd) {
  std::size_t total = 0;
  char buf[65536];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0;) total += static_cast<std::size_t>(n);
  return total;
}

}  // namespace

TEST_CASE("set_write_buffer_limits follows asyncio's defaults and refuses high below low", "[ch12]") {
  run([]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto recorder = std::make_shared<Recorder>();
    auto t = Transport::make(corio::Socket(a), recorder);
    CHECK(t->get_write_buffer_limits() == std::make_pair<std::size_t, std::size_t>(16384, 65536));
    t->set_write_buffer_limits(1000);
    CHECK(t->get_write_buffer_limits() == std::make_pair<std::size_t, std::size_t>(250, 1000));
    t->set_write_buffer_limits(std::nullopt, 100);
    CHECK(t->get_write_buffer_limits() == std::make_pair<std::size_t, std::size_t>(100, 400));
    CHECK_THROWS_WITH(t->set_write_buffer_limits(10, 20), Catch::StartsWith("high (10) must be >= low (20)"));
    t->close();
    co_await corio::sleep(0);
    co_await corio::sleep(0);
    CHECK(recorder->events == std::vector<std::string>{"made", "lost"});
    ::close(b);
  });
}

TEST_CASE("a write goes out at once when nothing is buffered; the rest pauses and resumes the protocol at the marks",
          "[ch12]") {
  run([]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto recorder = std::make_shared<Recorder>();
    auto t = Transport::make(corio::Socket(a), recorder);
    co_await corio::sleep(0);
    t->write("small");
    CHECK(t->get_write_buffer_size() == 0);
    std::string big(4 << 20, 'x');
    t->write(big);
    CHECK(t->get_write_buffer_size() > Transport::kHighWater);
    CHECK(recorder->events == std::vector<std::string>{"made", "pause"});
    std::size_t got = 0;
    while (got < big.size() + 5) {
      got += drain_fd(b);
      co_await corio::sleep(0);
      if (t->get_write_buffer_size() > Transport::kLowWater) CHECK(recorder->events.back() == "pause");
    }
    CHECK(t->get_write_buffer_size() == 0);
    CHECK(recorder->events == std::vector<std::string>{"made", "pause", "resume"});
    t->close();
    ::close(b);
  });
}

TEST_CASE("drain returns at once at or below the high-water mark and waits above it until the low one", "[ch12]") {
  run([]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto [reader, writer] = stream_over(a);
    auto [peer_reader, peer_writer] = stream_over(b);
    co_await corio::sleep(0);
    writer.transport().set_write_buffer_limits(64 * 1024, 16 * 1024);
    std::size_t max_buffered = 0;
    const std::string chunk(10000, 'y');
    const int chunks = 1000;
    auto consumer = corio::create_task([](StreamReader r, std::size_t total) -> Coro<std::size_t> {
      std::size_t got = 0;
      while (got < total) {
        got += (co_await r.read(4096)).size();
        co_await corio::sleep(0.001);  // a slow reader
      }
      co_return got;
    }(peer_reader, chunk.size() * chunks));
    for (int i = 0; i < chunks; ++i) {
      writer.write(chunk);
      max_buffered = std::max(max_buffered, writer.transport().get_write_buffer_size());
      bool above = writer.transport().get_write_buffer_size() > 64 * 1024;
      double before = corio::get_running_loop().time();
      co_await writer.drain();
      if (!above) CHECK(corio::get_running_loop().time() == before);
      if (above) CHECK(writer.transport().get_write_buffer_size() <= 16 * 1024);
    }
    CHECK(max_buffered <= 64 * 1024 + chunk.size());
    {
      auto got = co_await consumer;
      CHECK(got == chunk.size() * chunks);
    }
    writer.close();
    peer_writer.close();
    co_await writer.wait_closed();
    co_await peer_writer.wait_closed();
  });
}

TEST_CASE("a reader pauses the transport's reading above twice its limit and resumes it at the limit", "[ch12]") {
  run([]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto [reader, writer] = stream_over(a, 1000);
    auto [peer_reader, peer_writer] = stream_over(b);
    co_await corio::sleep(0);
    peer_writer.write(std::string(100000, 'z'));
    while (writer.transport().is_reading()) co_await corio::sleep(0);
    CHECK(reader.buffered() > 2000);
    std::size_t paused_at = reader.buffered();
    for (int i = 0; i < 10; ++i) co_await corio::sleep(0);
    CHECK(reader.buffered() == paused_at);  // nothing more read while paused
    std::size_t total = (co_await reader.read(reader.buffered() - 1000)).size();
    CHECK(writer.transport().is_reading());
    while (total < 100000) {
      total += (co_await reader.read(700)).size();
      CHECK(reader.buffered() <= 2000 + 256 * 1024);
    }
    peer_writer.close();
    {
      auto got = co_await reader.read();
      CHECK(got == "");
    }
    CHECK(reader.at_eof());
    writer.close();
  });
}

TEST_CASE("write_eof lets the peer read EOF while it can still write back (half-close)", "[ch12]") {
  run([]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto [reader, writer] = stream_over(a);
    auto [peer_reader, peer_writer] = stream_over(b);
    CHECK(writer.can_write_eof());
    writer.write("question");
    writer.write_eof();
    CHECK_THROWS_WITH(writer.write("more"), Catch::StartsWith("Cannot call write() after write_eof()"));
    {
      auto got = co_await peer_reader.read();
      CHECK(got == "question");
    }
    peer_writer.write("answer");
    peer_writer.close();
    {
      auto got = co_await reader.read();
      CHECK(got == "answer");
    }
    // Both sides shut: the transport stays open until closed, as asyncio's.
    CHECK_FALSE(writer.is_closing());
    writer.close();
    co_await writer.wait_closed();
    CHECK(writer.is_closing());
    CHECK_FALSE(writer.get_extra_info("peername").has_value());
  });
}

TEST_CASE("abort drops the buffer and reports connection_lost once; writes after it are dropped", "[ch12]") {
  run([]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto recorder = std::make_shared<Recorder>();
    auto t = Transport::make(corio::Socket(a), recorder);
    co_await corio::sleep(0);
    t->write(std::string(1 << 20, 'q'));
    CHECK(t->get_write_buffer_size() > 0);
    t->abort();
    CHECK(t->get_write_buffer_size() == 0);
    t->abort();
    t->close();
    co_await corio::sleep(0);
    t->write("dropped");
    CHECK(t->fd() == -1);
    CHECK(recorder->events == std::vector<std::string>{"made", "pause", "lost"});
    ::close(b);
  });
}

TEST_CASE("the peer's EOF closes the transport unless eof_received keeps it open", "[ch12]") {
  bool keep = GENERATE(false, true);
  run([keep]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto recorder = std::make_shared<Recorder>();
    recorder->keep_open = keep;
    auto t = Transport::make(corio::Socket(a), recorder);
    REQUIRE(::write(b, "hi", 2) == 2);
    ::shutdown(b, SHUT_WR);
    while (recorder->events.size() < 2) co_await corio::sleep(0);
    co_await corio::sleep(0);
    CHECK(recorder->received == "hi");
    if (keep) {
      CHECK(recorder->events == std::vector<std::string>{"made", "eof"});
      t->write("still open");
      char buf[32];
      CHECK(::read(b, buf, sizeof buf) == 10);
      t->close();
      co_await corio::sleep(0);
      CHECK(recorder->events.back() == "lost");
    } else {
      CHECK(recorder->events == std::vector<std::string>{"made", "eof", "lost"});
    }
    ::close(b);
  });
}

TEST_CASE("an error escaping data_received is reported and ends the connection with it", "[ch12]") {
  struct Throws : Recorder {
    void data_received(std::string_view) override { throw std::logic_error("bug in the protocol"); }
  };
  run([]() -> Coro<> {
    std::vector<std::string> reported;
    corio::get_running_loop().set_exception_handler(
        [&](corio::Loop&, const corio::ExceptionContext& c) { reported.push_back(c.message); });
    auto [a, b] = socket_pair();
    auto protocol = std::make_shared<Throws>();
    auto t = Transport::make(corio::Socket(a), protocol);
    REQUIRE(::write(b, "x", 1) == 1);
    while (protocol->events.size() < 2) co_await corio::sleep(0);
    CHECK(reported == std::vector<std::string>{"Fatal error: protocol.data_received() call failed."});
    CHECK(protocol->events.back() == "lost error");
    ::close(b);
  });
}

TEST_CASE("a transport still open when its loop closes is reported, its socket closed and its protocol let go",
          "[ch12]") {
  // The protocol keeps its transport, as a stream's does: with the
  // transport's hold on itself, nothing outside would ever free either.
  struct Keeper : Recorder {
    void connection_made(Transport& t) override {
      Recorder::connection_made(t);
      held = t.shared_from_this();
    }
    std::shared_ptr<Transport> held;
  };
  corio_test::Diagnostics diagnostics;
  int peer = -1;
  std::weak_ptr<Keeper> protocol_left;
  std::weak_ptr<Transport> transport_left;
  run([&]() -> Coro<> {
    auto [a, b] = socket_pair();
    peer = b;
    auto keeper = std::make_shared<Keeper>();
    protocol_left = keeper;
    transport_left = Transport::make(corio::Socket(a), keeper);
    co_await corio::sleep(0);  // connection_made has run: the protocol holds the transport
    CHECK(keeper->events == std::vector<std::string>{"made"});
  });
  CHECK(diagnostics.any_contains("ResourceWarning: unclosed transport <Transport fd="));
  CHECK(transport_left.expired());
  CHECK(protocol_left.expired());
  char c;
  CHECK(::recv(peer, &c, 1, MSG_DONTWAIT) == 0);  // the peer reads EOF: the socket is closed
  ::close(peer);
}

TEST_CASE("a transport closed before its loop closes is not reported", "[ch12]") {
  corio_test::Diagnostics diagnostics;
  std::weak_ptr<Transport> transport_left;
  run([&]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto recorder = std::make_shared<Recorder>();
    auto t = Transport::make(corio::Socket(a), recorder);
    transport_left = t;
    t->close();
    while (recorder->events.size() < 2) co_await corio::sleep(0);
    CHECK(recorder->events == std::vector<std::string>{"made", "lost"});
    ::close(b);
  });
  CHECK_FALSE(diagnostics.any_contains("unclosed transport"));
  CHECK(transport_left.expired());
}

TEST_CASE("a write or an abort after a close that had to flush first does nothing", "[ch12]") {
  run([]() -> Coro<> {
    auto [a, b] = socket_pair();
    auto recorder = std::make_shared<Recorder>();
    auto t = Transport::make(corio::Socket(a), recorder);
    co_await corio::sleep(0);
    std::size_t sent = 4 << 20;
    t->write(std::string(sent, 'q'));
    CHECK(t->get_write_buffer_size() > 0);  // close() must flush it before the socket goes
    t->close();
    std::size_t read = 0;
    while (recorder->events.back() != "lost") {
      read += drain_fd(b);
      co_await corio::sleep(0);
    }
    read += drain_fd(b);
    CHECK(read == sent);
    t->write("late");  // wrote on fd -1 and queued a call on a transport already let go
    t->abort();
    co_await corio::sleep(0);
    CHECK(t->fd() == -1);
    CHECK(recorder->events == std::vector<std::string>{"made", "pause", "resume", "lost"});
    ::close(b);
  });
}

TEST_CASE("an error escaping connection_made is reported, and the connection is read and ends as usual", "[ch12]") {
  struct Throws : Recorder {
    void connection_made(Transport& t) override {
      Recorder::connection_made(t);
      throw std::logic_error("bug in connection_made");
    }
  };
  run([]() -> Coro<> {
    std::vector<std::string> reported;
    corio::get_running_loop().set_exception_handler(
        [&](corio::Loop&, const corio::ExceptionContext& c) { reported.push_back(c.message); });
    auto [a, b] = socket_pair();
    auto protocol = std::make_shared<Throws>();
    auto t = Transport::make(corio::Socket(a), protocol);
    REQUIRE(::write(b, "hi", 2) == 2);
    ::shutdown(b, SHUT_WR);
    while (protocol->events.size() < 3) co_await corio::sleep(0);
    CHECK(reported == std::vector<std::string>{"protocol.connection_made() failed"});
    CHECK(protocol->received == "hi");
    CHECK(protocol->events == std::vector<std::string>{"made", "eof", "lost"});
    ::close(b);
  });
}
