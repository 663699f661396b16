// @chapter 12
// StreamReader's buffer logic, fed by hand (feed_data/feed_eof) as
// asyncio's own tests do: what each read returns, what stays in the buffer
// when one fails (IncompleteReadError, LimitOverrunError, readline's
// ValueError), one waiter at a time, errors set with set_exception, and a
// waiting read cancelled with nothing lost. Every expectation was checked
// against Python 3.11's asyncio.StreamReader.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"
#include "support/streams_test.hpp"

using corio::Coro;
using corio::StreamReader;
using corio_test::error_message;
using corio_test::run;
using corio_test::throws;

TEST_CASE("read(n) returns what is buffered, up to n, and read() returns everything up to EOF", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    r.feed_data("hello ");
    r.feed_data("world");
    {
      auto got = co_await r.read(3);
      CHECK(got == "hel");
    }
    {
      auto got = co_await r.read(100);
      CHECK(got == "lo world");
    }
    CHECK(r.buffered() == 0);
    {
      auto got = co_await r.read(0);
      CHECK(got == "");
    }
    r.feed_data("rest");
    r.feed_eof();
    CHECK_FALSE(r.at_eof());
    {
      auto got = co_await r.read();
      CHECK(got == "rest");
    }
    CHECK(r.at_eof());
    {
      auto got = co_await r.read(5);
      CHECK(got == "");
    }
    {
      auto got = co_await r.read();
      CHECK(got == "");
    }
  });
}

TEST_CASE("read waits for data fed later, and read() gathers every piece until EOF", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    auto feeder = corio::create_task([](StreamReader r) -> Coro<> {
      for (int i = 0; i < 3; ++i) {
        co_await corio::sleep(1);
        r.feed_data("piece" + std::to_string(i) + ";");
      }
      co_await corio::sleep(1);
      r.feed_eof();
    }(r));
    {
      auto got = co_await r.read(100);
      CHECK(got == "piece0;");
    }
    CHECK(corio::get_running_loop().time() == 1.0);
    {
      auto got = co_await r.read();
      CHECK(got == "piece1;piece2;");
    }
    CHECK(corio::get_running_loop().time() == 4.0);
    co_await feeder;
  });
}

TEST_CASE("readline returns a line with its newline, the rest at EOF, then empty strings", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    r.feed_data("one\ntw");
    {
      auto got = co_await r.readline();
      CHECK(got == "one\n");
    }
    r.feed_data("o\nthree");
    {
      auto got = co_await r.readline();
      CHECK(got == "two\n");
    }
    r.feed_eof();
    {
      auto got = co_await r.readline();
      CHECK(got == "three");
    }
    {
      auto got = co_await r.readline();
      CHECK(got == "");
    }
    CHECK(r.at_eof());
  });
}

TEST_CASE("readuntil finds a separator split across two feeds", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r(4);
    r.feed_data("ab\r");
    r.feed_data("\nc");
    {
      auto got = co_await r.readuntil("\r\n");
      CHECK(got == "ab\r\n");
    }
    CHECK(r.buffered() == 1);
  });
}

TEST_CASE("readuntil at EOF without the separator throws IncompleteReadError with what was left, consumed", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    r.feed_data("partial");
    r.feed_eof();
    std::optional<corio::IncompleteReadError> caught;
    try {
      co_await r.readuntil("\r\n");
    } catch (const corio::IncompleteReadError& e) {
      caught = e;
    }
    REQUIRE(caught);
    CHECK(caught->partial() == "partial");
    CHECK(caught->expected() == corio::IncompleteReadError::npos);
    CHECK(std::string(caught->what()) == "7 bytes read on a total of undefined expected bytes");
    CHECK(r.at_eof());
  });
}

TEST_CASE("readuntil with an empty separator is a ValueError", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    {
      bool threw = co_await throws<corio::ValueError>(r.readuntil(""));
      CHECK(threw);
    }
  });
}

TEST_CASE("readuntil past the limit throws LimitOverrunError and leaves the buffer as it was", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r(4);
    r.feed_data("abcdefgh");
    try {
      co_await r.readuntil("\n");
      FAIL("readuntil returned");
    } catch (const corio::LimitOverrunError& e) {
      CHECK(e.consumed() == 8);
      CHECK_THAT(e.what(), Catch::StartsWith("Separator is not found, and chunk exceed the limit"));
    }
    CHECK(r.buffered() == 8);
    r.feed_data("\n");
    try {
      co_await r.readuntil("\n");
      FAIL("readuntil returned");
    } catch (const corio::LimitOverrunError& e) {
      CHECK(e.consumed() == 8);
      CHECK_THAT(e.what(), Catch::StartsWith("Separator is found, but chunk is longer than limit"));
    }
    CHECK(r.buffered() == 9);
    {
      auto got = co_await r.read(100);
      CHECK(got == "abcdefgh\n");
    }
  });
}

TEST_CASE("readline past the limit throws ValueError and drops the line with its newline", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r(4);
    r.feed_data("abcdefgh\nxy\n");
    {
      std::string error = co_await error_message(r.readline());
      CHECK_THAT(error, Catch::StartsWith("Separator is found, but chunk is longer than limit"));
    }
    {
      auto got = co_await r.readline();
      CHECK(got == "xy\n");
    }
  });
}

TEST_CASE("readline past the limit with no newline buffered drops the whole buffer", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r(4);
    r.feed_data("abcdefgh");
    {
      bool threw = co_await throws<corio::ValueError>(r.readline());
      CHECK(threw);
    }
    CHECK(r.buffered() == 0);
    r.feed_data("ok\n");
    {
      auto got = co_await r.readline();
      CHECK(got == "ok\n");
    }
  });
}

TEST_CASE("readexactly waits for n bytes, and at EOF throws IncompleteReadError with the partial bytes", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    r.feed_data("abc");
    auto later = corio::create_task([](StreamReader r) -> Coro<> {
      co_await corio::sleep(1);
      r.feed_data("defg");
      co_await corio::sleep(1);
      r.feed_eof();
    }(r));
    {
      auto got = co_await r.readexactly(0);
      CHECK(got == "");
    }
    {
      auto got = co_await r.readexactly(5);
      CHECK(got == "abcde");
    }
    CHECK(corio::get_running_loop().time() == 1.0);
    try {
      co_await r.readexactly(5);
      FAIL("readexactly returned");
    } catch (const corio::IncompleteReadError& e) {
      CHECK(e.partial() == "fg");
      CHECK(e.expected() == 5);
      CHECK(std::string(e.what()) == "2 bytes read on a total of 5 expected bytes");
    }
    CHECK(r.at_eof());
    co_await later;
  });
}

TEST_CASE("a second coroutine reading while one waits is a RuntimeError naming the call", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    auto first = corio::create_task(r.read(10));
    co_await corio::sleep(0);
    {
      std::string error = co_await error_message(r.readline());
      CHECK_THAT(error, Catch::StartsWith("readuntil() called while another coroutine is already waiting"));
    }
    r.feed_data("x");
    {
      auto got = co_await first;
      CHECK(got == "x");
    }
  });
}

TEST_CASE("set_exception wakes the waiting read with the error, and every later read throws it", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    r.feed_data("kept");
    auto waiting = corio::create_task(r.readexactly(10));
    co_await corio::sleep(0);
    r.set_exception(std::make_exception_ptr(corio::ConnectionResetError("reset", 104)));
    {
      bool threw = co_await throws<corio::ConnectionResetError>(waiting);
      CHECK(threw);
    }
    {
      bool threw = co_await throws<corio::ConnectionResetError>(r.read(1));
      CHECK(threw);
    }
    {
      bool threw = co_await throws<corio::ConnectionResetError>(r.readline());
      CHECK(threw);
    }
    CHECK(r.exception() != nullptr);
  });
}

TEST_CASE("a read cancelled while waiting loses no byte and lets the next read wait", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r;
    r.feed_data("ab");
    auto waiting = corio::create_task(r.readexactly(4));
    co_await corio::sleep(0);
    waiting.cancel();
    {
      bool threw = co_await throws<corio::CancelledError>(waiting);
      CHECK(threw);
    }
    r.feed_data("cd");
    {
      auto got = co_await r.readexactly(4);
      CHECK(got == "abcd");
    }
  });
}

TEST_CASE("a limit of 0 is refused, and feeding after EOF is a RuntimeError", "[ch12]") {
  CHECK_THROWS_WITH(StreamReader(0), Catch::StartsWith("Limit cannot be <= 0"));
  StreamReader r;
  r.feed_eof();
  CHECK_THROWS_AS(r.feed_data("x"), corio::RuntimeError);
}

TEST_CASE("small reads off a large buffer keep every byte in order", "[ch12]") {
  run([]() -> Coro<> {
    StreamReader r(1 << 20);
    std::string all;
    for (int i = 0; i < 5000; ++i) all += std::to_string(i) + ",";
    r.feed_data(all.substr(0, all.size() / 2));
    std::string got;
    for (int i = 0; i < 1000; ++i) got += co_await r.readuntil(",");
    r.feed_data(all.substr(all.size() / 2));
    r.feed_eof();
    got += co_await r.read();
    CHECK(got == all);
  });
}
