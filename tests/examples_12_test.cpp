// @chapter 12
// Chapter 12's programs, run on the virtual clock over 127.0.0.1. Every
// line they print is exact but one: 5-fan-out's time, which depends on when
// the kernel hands the loop each connection, is checked for its shape. All
// but 1-echo-server resolve names on the executor's threads ([threads]).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Matches;

TEST_CASE("an echo server on sock_* coroutines serves a second client while the first is connected", "[ch12]") {
  auto out = corio_test::lines_of(corio_test::run_example("12-sockets-and-streams/1-echo-server"));
  std::vector<std::string> expected = {
      "server: listening on 127.0.0.1",
      "alice: sent 'hello', got back 'hello'",
      "bob:   sent 'ping', got back 'ping'",
      "server: end of file from a client; closes its socket",
      "bob:   shut down its writing side; then read 0 bytes: the server closed",
      "alice: sent 'world', got back 'world'",
      "server: end of file from a client; closes its socket",
      "alice: shut down its writing side; then read 0 bytes: the server closed",
      "server: 3 messages echoed on 2 connections",
  };
  CHECK(out == expected);
}

TEST_CASE("a streams client resolves localhost, reads lines back, half-closes and reads to end of file",
          "[ch12][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("12-sockets-and-streams/2-echo-client"));
  std::vector<std::string> expected = {
      "getaddrinfo(\"localhost\", AF_INET): 127.0.0.1",
      "client: connected to 127.0.0.1",
      "client: sent 3 lines with one writelines() and one drain()",
      "client: readline() -> 'HELLO\\n'",
      "client: readline() -> 'HOW ARE YOU?\\n'",
      "client: readline() -> 'GOODBYE\\n'",
      "client: write_eof(): the server reads end of file, the client can still read",
      "server: end of file after 3 lines; answers and closes",
      "client: read() -> '3 lines, bye\\n', then end of file: yes",
  };
  CHECK(out == expected);
}

TEST_CASE("a fast writer waits in drain and a slow reader's transport pauses: nothing grows without bound",
          "[ch12][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("12-sockets-and-streams/3-back-pressure"));
  std::vector<std::string> expected = {
      "writer: high-water mark 65536, low-water mark 16384 (asyncio's defaults)",
      "writer: 1048576 bytes in 16 writes of 65536, each followed by drain()",
      "writer: drain() had to wait: yes",
      "writer: its buffer never held more than the high-water mark plus one write: yes",
      "reader: limit 16384; its transport paused reading while more than twice that waited: yes",
      "reader: got 1048576 bytes, all in order: yes",
  };
  CHECK(out == expected);
}

TEST_CASE("a chat server relays each of 50 clients' lines to the 49 others, exactly once", "[ch12][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("12-sockets-and-streams/4-chat"));
  std::vector<std::string> expected = {
      "50 clients joined; the server has 50 members",
      "client-01 heard 49 lines; sorted, the first three:",
      "  client-02: hello from client-02",
      "  client-03: hello from client-03",
      "  client-04: hello from client-04",
      "every client heard each other client exactly once: yes",
      "the server delivered 2450 lines; 0 members left",
  };
  CHECK(out == expected);
}

TEST_CASE("200 requests on connections of their own, 50 in flight at once, take 4 rounds", "[ch12][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("12-sockets-and-streams/5-fan-out"));
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "200 requests, at most 50 at once: sum of the answers 2686700 (expected 2686700)");
  CHECK(out[1] == "connections open on the server at once, at most: 50");
  CHECK_THAT(out[2], Matches("took 0\\.[4-9][0-9] s: 4 rounds of 0\\.1 s, where one connection after another would "
                             "take 20 s"));
}
