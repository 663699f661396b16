// @chapter 12
// start_server and open_connection on 127.0.0.1 (and a Unix socket): the
// bytes go both ways, a handler's error reaches the exception handler, the
// server's close/wait_closed/serve_forever follow asyncio's, and the faults
// lose nothing: a peer reset mid-read and mid-write, EOF inside
// readexactly, a client that never sends, accept() out of descriptors, and
// every stream await cancelled with no fd left open or watched. Name
// resolution runs on the executor: [threads].
#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <corio/corio.hpp>
#include <corio/net/resolve.hpp>

#include "support/asan.hpp"
#include "support/corio_test.hpp"
#include "support/streams_test.hpp"

using corio::Coro;
using corio::Server;
using corio::StreamReader;
using corio::StreamWriter;
using corio_test::error_message;
using corio_test::run;
using corio_test::throws;

namespace {

int open_fds() {
  int n = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  while (::readdir(dir) != nullptr) ++n;
  ::closedir(dir);
  return n;
}

Coro<> echo_lines(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();
  }
  writer.close();
  co_await writer.wait_closed();
}

// The peer's next close sends a reset (RST) instead of a FIN.
void reset_on_close(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

}  // namespace

TEST_CASE("an echo server and a client exchange lines over 127.0.0.1, then both close cleanly", "[ch12][threads]") {
  int before = open_fds();
  run([]() -> Coro<> {
    Server server = co_await corio::start_server(echo_lines, "127.0.0.1", 0);
    CHECK(server.is_serving());
    REQUIRE(server.sockets().size() == 1);
    CHECK(server.port() > 0);
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    CHECK(writer.get_extra_info("peername")->to_string() == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(writer.get_extra_info("sockname")->host() == "127.0.0.1");
    CHECK_FALSE(writer.get_extra_info("cipher").has_value());
    writer.writelines({"one\n", "two\n"});
    writer.writelines(std::vector<std::string>{"three\n"});
    {
      auto got = co_await reader.readline();
      CHECK(got == "one\n");
    }
    {
      auto got = co_await reader.readline();
      CHECK(got == "two\n");
    }
    {
      auto got = co_await reader.readline();
      CHECK(got == "three\n");
    }
    writer.write_eof();
    {
      auto got = co_await reader.read();
      CHECK(got == "");
    }
    writer.close();
    co_await writer.wait_closed();
    server.close();
    CHECK_FALSE(server.is_serving());
    CHECK(server.sockets().empty());
    co_await server.wait_closed();
  });
  CHECK(open_fds() == before);
}

TEST_CASE("a numeric host needs no getaddrinfo: start_server and open_connection work with the executor shut down",
          "[ch12][threads]") {
  run([]() -> Coro<> {
    // As asyncio's _ensure_resolved: an address that is already numeric
    // goes to bind and connect as it is, never through the executor.
    corio::get_running_loop().shutdown_default_executor();
    Server server = co_await corio::start_server(echo_lines, "127.0.0.1", 0);
    int port = server.port();
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", port);
    writer.write("numeric\n");
    {
      auto got = co_await reader.readline();
      CHECK(got == "numeric\n");
    }
    // A name still resolves on the executor, which is gone.
    bool refused = co_await corio_test::throws<corio::RuntimeError>(corio::open_connection("localhost", port));
    CHECK(refused);
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("a payload of 10 MiB goes through intact and the server's wait_closed waits for its connections",
          "[ch12][threads]") {
  run([]() -> Coro<> {
    auto handler = [](StreamReader reader, StreamWriter writer) -> Coro<> {
      std::string all = co_await reader.read();
      writer.write(std::to_string(all.size()) + " " + std::to_string(std::hash<std::string>{}(all)));
      writer.close();
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    std::string payload;
    for (int i = 0; payload.size() < (10u << 20); ++i) payload += std::to_string(i) + ";";
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    server.close();
    auto closed = corio::create_task(server.wait_closed());
    writer.write(payload);
    co_await writer.drain();
    writer.write_eof();
    CHECK_FALSE(closed.done());
    {
      auto got = co_await reader.read();
      CHECK(got == std::to_string(payload.size()) + " " + std::to_string(std::hash<std::string>{}(payload)));
    }
    co_await closed;
  });
}

TEST_CASE("a handler's error goes to the loop's exception handler and its connection is closed", "[ch12][threads]") {
  run([]() -> Coro<> {
    std::vector<std::string> reported;
    corio::get_running_loop().set_exception_handler([&](corio::Loop&, const corio::ExceptionContext& c) {
      reported.push_back(c.message + ": " + corio::detail::describe(c.exception));
    });
    auto handler = [](StreamReader reader, StreamWriter) -> Coro<> {
      co_await reader.readline();
      throw std::runtime_error("handler failed");
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    writer.write("go\n");
    {
      auto got = co_await reader.read();
      CHECK(got == "");
    }
    REQUIRE(reported.size() == 1);
    CHECK_THAT(reported[0],
               Catch::StartsWith("Unhandled exception in client_connected_cb") && Catch::Contains("handler failed"));
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("EOF in the middle of readexactly gives the handler the partial bytes", "[ch12][threads]") {
  run([]() -> Coro<> {
    std::optional<std::string> partial;
    auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<> {
      try {
        co_await reader.readexactly(10);
      } catch (const corio::IncompleteReadError& e) {
        partial = e.partial();
      }
      writer.close();
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    writer.write("abc");
    writer.write_eof();
    {
      auto got = co_await reader.read();
      CHECK(got == "");
    }
    CHECK(partial == "abc");
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("a peer reset mid-read is a ConnectionResetError from the read, and from wait_closed", "[ch12][threads]") {
  run([]() -> Coro<> {
    std::vector<std::string> seen;
    auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<> {
      seen.push_back(co_await reader.readexactly(2));
      try {
        co_await reader.read();
      } catch (const corio::ConnectionResetError& e) {
        seen.push_back("read: reset");
      }
      try {
        co_await writer.wait_closed();
      } catch (const corio::ConnectionResetError&) {
        seen.push_back("wait_closed: reset");
      }
      try {
        co_await writer.drain();
      } catch (const corio::ConnectionResetError&) {
        seen.push_back("drain: reset");
      }
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    writer.write("hi");
    co_await corio::sleep(0.5);
    reset_on_close(writer.transport().fd());
    writer.transport().abort();
    server.close();
    co_await server.wait_closed();
    CHECK(seen == std::vector<std::string>{"hi", "read: reset", "wait_closed: reset", "drain: reset"});
  });
}

TEST_CASE("a peer reset mid-write ends the writer's drain with a ConnectionError", "[ch12][threads]") {
  run([]() -> Coro<> {
    std::optional<std::string> error;
    auto handler = [&](StreamReader, StreamWriter writer) -> Coro<> {
      const std::string chunk(64 * 1024, 'w');
      try {
        for (;;) {
          writer.write(chunk);
          co_await writer.drain();
        }
      } catch (const corio::ConnectionError& e) {
        error = e.what();
      }
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    co_await reader.readexactly(1000);
    reset_on_close(writer.transport().fd());
    writer.transport().abort();
    server.close();
    co_await server.wait_closed();
    REQUIRE(error.has_value());
  });
}

TEST_CASE("a client that connects and never sends lets the handler time out with wait_for", "[ch12][threads]") {
  run([]() -> Coro<> {
    std::optional<double> timed_out_at;
    auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<> {
      try {
        co_await corio::wait_for(reader.readline(), 5);
      } catch (const corio::TimeoutError&) {
        timed_out_at = corio::get_running_loop().time();
      }
      writer.close();
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    double start = corio::get_running_loop().time();
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    {
      auto got = co_await reader.read();
      CHECK(got == "");
    }
    REQUIRE(timed_out_at.has_value());
    CHECK(*timed_out_at - start == Approx(5.0).margin(1e-9));
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("accept out of descriptors is reported, pauses the server, and it accepts again a second later",
          "[ch12][threads]") {
#if CORIO_TEST_ASAN
  // UBSan's vptr check (in the ASan builds) opens a pipe to test memory it
  // cannot vouch for; with no descriptor left, it fails and reports a bad
  // object where there is none. ThreadSanitizer and the plain builds run it.
  WARN("not run under AddressSanitizer/UBSan: the sanitizer itself needs descriptors");
  return;
#endif
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  struct Restore {
    rlimit limit;
    ~Restore() { ::setrlimit(RLIMIT_NOFILE, &limit); }
  } restore{saved};
  run([&]() -> Coro<> {
    std::vector<std::string> reported;
    corio::get_running_loop().set_exception_handler(
        [&](corio::Loop&, const corio::ExceptionContext& c) { reported.push_back(c.message); });
    std::optional<double> accepted_at;
    auto handler = [&](StreamReader, StreamWriter writer) -> Coro<> {
      accepted_at = corio::get_running_loop().time();
      writer.write("welcome");
      co_return;
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    corio::SocketAddress address = corio::SocketAddress::ip("127.0.0.1", server.port());
    corio::Socket client = corio::Socket::tcp(AF_INET);
    // Every descriptor number below the next free one is taken: accept()
    // has none left to give.
    int next = ::dup(0);
    ::close(next);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(next);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    double start = corio::get_running_loop().time();
    co_await corio::sock_connect(client, address);
    while (reported.empty()) co_await corio::sleep(0);
    CHECK(reported == std::vector<std::string>{"socket.accept() out of system resource"});
    co_await corio::sleep(0.5);
    CHECK_FALSE(accepted_at.has_value());
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
    std::string got = co_await corio::sock_recv(client, 100);
    CHECK(got == "welcome");
    REQUIRE(accepted_at.has_value());
    CHECK(*accepted_at - start == Approx(1.0).margin(1e-9));
    CHECK(reported.size() == 1);
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("every stream await cancelled leaves no fd open and none watched", "[ch12][threads]") {
  int before = open_fds();
  corio_test::Diagnostics diagnostics;
  run([]() -> Coro<> {
    auto handler = [](StreamReader, StreamWriter writer) -> Coro<> {
      co_await corio::sleep(10);  // reads nothing: what the client sends stays unread
      writer.close();
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
    auto cancel_soon = [](auto task, double delay = 0.1) -> Coro<> {
      co_await corio::sleep(delay);
      CHECK_FALSE(task.done());
      task.cancel();
      {
        bool threw = co_await throws<corio::CancelledError>(task);
        CHECK(threw);
      }
    };
    co_await cancel_soon(corio::create_task(reader.read()));
    co_await cancel_soon(corio::create_task(reader.readline()));
    co_await cancel_soon(corio::create_task(reader.readexactly(5)));
    co_await cancel_soon(corio::create_task(reader.readuntil("\r\n")));
    writer.transport().set_write_buffer_limits(1);
    writer.write(std::string(8 << 20, 'f'));  // nobody reads it
    co_await cancel_soon(corio::create_task(writer.drain()));
    co_await cancel_soon(corio::create_task(writer.wait_closed()));
    co_await cancel_soon(corio::create_task(server.wait_closed()));
    co_await cancel_soon(corio::create_task(corio::open_connection("127.0.0.1", server.port())), 0);
    co_await cancel_soon(corio::create_task(server.serve_forever()));
    CHECK_FALSE(server.is_serving());
    writer.transport().abort();
    co_await server.wait_closed();
  });
  CHECK(diagnostics.messages.empty());
  CHECK(open_fds() == before);
}

TEST_CASE("serve_forever refuses a second caller and a closed server", "[ch12][threads]") {
  run([]() -> Coro<> {
    Server server = co_await corio::start_server(echo_lines, "127.0.0.1", 0, {.start_serving = false});
    CHECK_FALSE(server.is_serving());
    auto forever = corio::create_task(server.serve_forever());
    co_await corio::sleep(0);
    CHECK(server.is_serving());
    {
      std::string error = co_await error_message(server.serve_forever());
      CHECK_THAT(error, Catch::Contains("already being awaited on serve_forever()"));
    }
    server.close();
    {
      bool threw = co_await throws<corio::CancelledError>(forever);
      CHECK(threw);
    }
    {
      std::string error = co_await error_message(server.serve_forever());
      CHECK_THAT(error, Catch::Contains("server is closed"));
    }
  });
}

TEST_CASE("a host with several addresses listens on each, and a refused connection says so", "[ch12][threads]") {
  run([]() -> Coro<> {
    std::vector<corio::AddrInfo> infos =
        co_await corio::getaddrinfo("localhost", "0", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE);
    Server server = co_await corio::start_server(echo_lines, "localhost", 0, {.backlog = 5});
    CHECK(server.sockets().size() == infos.size());
    CHECK(server.addresses().size() == infos.size());
    int port = server.port();
    server.close();
    co_await server.wait_closed();
    {
      bool threw = co_await throws<corio::ConnectionRefusedError>(corio::open_connection("127.0.0.1", port));
      CHECK(threw);
    }
    Server again = co_await corio::start_server(echo_lines, "127.0.0.1", port, {.reuse_address = true});
    CHECK(again.port() == port);
    again.close();
    co_await again.wait_closed();
  });
}

TEST_CASE("a Unix-socket server and client exchange lines and the socket file goes at close", "[ch12]") {
  std::string path = "/tmp/corio-streams-test-" + std::to_string(::getpid()) + ".sock";
  run([&]() -> Coro<> {
    Server server = co_await corio::start_unix_server(echo_lines, path);
    CHECK(::access(path.c_str(), F_OK) == 0);
    auto [reader, writer] = co_await corio::open_unix_connection(path);
    writer.write("over unix\n");
    {
      auto got = co_await reader.readline();
      CHECK(got == "over unix\n");
    }
    writer.close();
    server.close();
    co_await server.wait_closed();
  });
  CHECK(::access(path.c_str(), F_OK) != 0);
}

TEST_CASE("a Unix server that closes leaves alone the socket file a newer server made at its path", "[ch12]") {
  std::string path = "/tmp/corio-streams-test-" + std::to_string(::getpid()) + "-twice.sock";
  run([&]() -> Coro<> {
    Server first = co_await corio::start_unix_server(echo_lines, path);
    Server second = co_await corio::start_unix_server(echo_lines, path);  // removes the first's file, binds its own
    first.close();
    co_await first.wait_closed();
    CHECK(::access(path.c_str(), F_OK) == 0);  // the second's file is still there
    auto [reader, writer] = co_await corio::open_unix_connection(path);
    writer.write("to the second\n");
    {
      auto got = co_await reader.readline();
      CHECK(got == "to the second\n");
    }
    writer.close();
    second.close();
    co_await second.wait_closed();
  });
  CHECK(::access(path.c_str(), F_OK) != 0);
}

// The transport's first add_reader refused the fd (select cannot watch one past FD_SETSIZE); the error escaped the
// callback and the transport held itself forever: its connection never closed and wait_closed never returned.
TEST_CASE("under select, a connection accepted past FD_SETSIZE is reported and closed, and the server serves on",
          "[ch12]") {
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(null_fd >= 0);
  std::vector<std::string> reported;
  corio::run(
      [&]() -> Coro<> {
        corio::get_running_loop().set_exception_handler([&](corio::Loop&, const corio::ExceptionContext& c) {
          std::string text = c.message;
          try {
            if (c.exception) std::rethrow_exception(c.exception);
          } catch (const std::exception& e) {
            text += std::string(": ") + e.what();
          } catch (...) {
          }
          reported.push_back(text);
        });
        Server server = co_await corio::start_server(echo_lines, "127.0.0.1", 0);
        corio::SocketAddress address = corio::SocketAddress::ip("127.0.0.1", server.port());
        corio::Socket first = corio::Socket::tcp(AF_INET);
        corio::Socket second = corio::Socket::tcp(AF_INET);
        // Every fd number below FD_SETSIZE is taken, so accept() gets one past it.
        std::vector<int> fillers;
        for (int fd = ::dup(null_fd); fd >= 0; fd = ::dup(null_fd)) {
          if (fd >= FD_SETSIZE) {
            ::close(fd);
            break;
          }
          fillers.push_back(fd);
        }
        co_await corio::sock_connect(first, address);
        std::string got = co_await corio::wait_for(corio::sock_recv(first, 100), 5);
        CHECK(got.empty());  // closed by the server
        std::string all;
        for (const std::string& r : reported) all += r + "\n";
        CHECK_THAT(all, Catch::Matchers::Contains("too large for the select poller"));
        for (int fd : fillers) ::close(fd);
        co_await corio::sock_connect(second, address);
        co_await corio::sock_sendall(second, "still here\n");
        got = co_await corio::wait_for(corio::sock_recv(second, 100), 5);
        CHECK(got == "still here\n");
        second.shutdown_write();
        server.close();
        co_await corio::wait_for(server.wait_closed(), 5);
      }(),
      {.poller = corio::PollerKind::Select, .clock = corio::ClockKind::Virtual});
  ::close(null_fd);
}

TEST_CASE("create_connection cancelled once its connection is made closes that connection", "[ch12][threads]") {
  // The task is cancelled from connection_made itself: after the transport
  // was made, while create_connection waits to hand it over.
  struct CancelsOpener : corio::Protocol {
    void connection_made(corio::Transport&) override { opener->cancel(); }
    corio::AnyTask* opener = nullptr;
  };
  run([]() -> Coro<> {
    int handled = 0;
    auto handler = [&handled](StreamReader reader, StreamWriter writer) -> Coro<> {
      co_await reader.read();  // until the client's end
      ++handled;
      writer.close();
    };
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    auto protocol = std::make_shared<CancelsOpener>();
    auto opening = corio::create_task(corio::create_connection([protocol] { return protocol; }, "127.0.0.1",
                                                               server.port()));
    corio::AnyTask any(opening);
    protocol->opener = &any;
    bool cancelled = co_await throws<corio::CancelledError>(opening);
    CHECK(cancelled);
    co_await corio::sleep(0.01);
    CHECK(handled == 1);  // the server read the client's end: the connection was closed, not left open
    server.close();
    co_await corio::wait_for(server.wait_closed(), 5.0);
  });
}

TEST_CASE("a handler's captures live as long as the handler, even when the server goes first", "[ch12][threads]") {
  run([]() -> Coro<> {
    std::string seen;
    std::optional<Server> server;
    corio::Event server_gone;
    {
      std::string greeting(64, 'g');  // on the heap: ASan sees a read of it once freed
      auto handler = [greeting, &seen, &server_gone](StreamReader reader, StreamWriter writer) -> Coro<> {
        co_await reader.read();
        writer.close();
        try {
          co_await writer.wait_closed();  // the last reference to the server's state goes here
        } catch (const std::exception& e) {
          seen = std::string("wait_closed: ") + e.what();
          co_return;
        }
        co_await server_gone.wait();
        seen = greeting;
      };
      server = co_await corio::start_server(handler, "127.0.0.1", 0);
    }
    auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server->port());
    server->close();
    server.reset();
    writer.close();
    co_await writer.wait_closed();
    co_await corio::sleep(0.01);
    server_gone.set();
    co_await corio::sleep(0.01);
    CHECK(seen == std::string(64, 'g'));
  });
}

TEST_CASE("a port outside 0-65535 is refused by name, not taken modulo 65536", "[ch12][threads]") {
  run([]() -> Coro<> {
    auto handler = [](StreamReader, StreamWriter) -> Coro<> { co_return; };
    std::string listen = co_await error_message(corio::start_server(handler, "127.0.0.1", 70000));
    CHECK(listen == "create_server: port 70000 is outside 0-65535");
    std::string named = co_await error_message(corio::start_server(handler, "localhost", -1));
    CHECK(named == "create_server: port -1 is outside 0-65535");
    Server server = co_await corio::start_server(handler, "127.0.0.1", 0);
    std::string connect = co_await error_message(corio::open_connection("127.0.0.1", server.port() + 65536));
    CHECK(connect == "create_connection: port " + std::to_string(server.port() + 65536) + " is outside 0-65535");
    server.close();
    co_await server.wait_closed();
  });
}
