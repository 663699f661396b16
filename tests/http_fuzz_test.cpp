// @chapter 13
// The parser against random input, deterministically (a fixed seed): valid
// requests and responses split at random points give the message they give
// whole; thousands of mutations of them (bytes flipped, inserted, deleted,
// framing fields spliced in) either parse or throw an HttpParseError with a
// server's status (400, 413, 431, 501, 505): never a crash, never another
// error, never a feed that makes no progress. Quick under ASan.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <corio/errors.hpp>
#include <corio/http/http.hpp>

using corio::http::Parser;
using corio::http::ParserLimits;

namespace {

// xorshift64*: the same sequence with every compiler and library.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

const std::vector<std::string> kRequests = {
    "GET /index.html?q=1 HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\n\r\n",
    "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello, world",
    "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n",
    "GET /old HTTP/1.0\nConnection: keep-alive\n\n",
    "\r\nDELETE /items/7 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
};

const std::vector<std::string> kResponses = {
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\nmissing until close",
    "HTTP/1.1 100 Continue\r\n\r\n",
    "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
};

const std::vector<std::string> kSplices = {
    "\r\n",
    "\n",
    "\r",
    " ",
    ":",
    "\t",
    "\0",
    "\x7f",
    "\xff",
    ";",
    "0",
    "ffffff",
    "-1",
    "HTTP/2.0",
    "HTTP/1.1",
    "chunked",
    "Content-Length: 5\r\n",
    "Content-Length: 6\r\n",
    "Transfer-Encoding: chunked\r\n",
    "Transfer-Encoding: gzip\r\n",
    "Transfer-Encoding: chunked, chunked\r\n",
    "X: a\r\n b\r\n",
    "0\r\n\r\n",
    "GET / HTTP/1.1\r\n\r\n",
};

std::string mutate(std::string s, Random& random) {
  std::size_t count = 1 + random.below(4);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t at = random.below(s.size() + 1);
    switch (random.below(6)) {
      case 0:
        if (at < s.size()) s[at] = static_cast<char>(random.below(256));
        break;
      case 1:
        s.insert(at, 1, static_cast<char>(random.below(256)));
        break;
      case 2:
        if (at < s.size()) s.erase(at, 1 + random.below(4));
        break;
      case 3: {
        const std::string& splice = kSplices[random.below(kSplices.size())];
        s.insert(at, splice.empty() ? std::string(1, '\0') : splice);
        break;
      }
      case 4:
        s.resize(at);
        break;
      default:
        if (at < s.size()) s.insert(at, s.substr(at, 1 + random.below(20)));
        break;
    }
  }
  return s;
}

// Feeds data in random pieces, taking each message as it completes; at the
// end, feed_eof. Returns how many messages came, or throws what the parser
// threw. Every feed must make progress or end a message.
int parse_all(Parser::Kind kind, std::string_view data, ParserLimits limits, Random& random, bool head) {
  Parser parser(kind, limits);
  if (head) parser.expect_head_response();
  int messages = 0;
  std::size_t pos = 0;
  for (std::size_t rounds = 0; pos < data.size(); ++rounds) {
    REQUIRE(rounds <= 2 * data.size() + 2);
    std::size_t piece = std::min(data.size() - pos, 1 + random.below(24));
    std::size_t used = parser.feed(data.substr(pos, piece));
    REQUIRE(used <= piece);
    pos += used;
    if (used < piece) REQUIRE(parser.done());
    if (parser.done()) {
      if (kind == Parser::Kind::request) {
        parser.take_request();
      } else {
        parser.take_response();
      }
      ++messages;
    }
  }
  if (parser.feed_eof()) ++messages;
  return messages;
}

}  // namespace

TEST_CASE("random splits of valid requests and responses give the message they give whole", "[ch13][http]") {
  Random random(0xC0210);
  for (Parser::Kind kind : {Parser::Kind::request, Parser::Kind::response}) {
    const auto& corpus = kind == Parser::Kind::request ? kRequests : kResponses;
    for (const std::string& wire : corpus) {
      Parser whole_parser(kind);
      whole_parser.feed(wire);
      whole_parser.feed_eof();
      REQUIRE(whole_parser.done());
      std::string whole_body =
          kind == Parser::Kind::request ? whole_parser.take_request().body : whole_parser.take_response().body;
      for (int round = 0; round < 200; ++round) {
        Parser parser(kind);
        std::size_t pos = 0;
        while (pos < wire.size()) {
          std::size_t piece = std::min(wire.size() - pos, 1 + random.below(16));
          REQUIRE(parser.feed(std::string_view(wire).substr(pos, piece)) == piece);
          pos += piece;
        }
        parser.feed_eof();
        REQUIRE(parser.done());
        std::string body = kind == Parser::Kind::request ? parser.take_request().body : parser.take_response().body;
        CHECK(body == whole_body);
      }
    }
  }
}

TEST_CASE("thousands of mutated messages parse or fail with a server's status, never otherwise", "[ch13][http]") {
  Random random(20261202);
  const std::set<int> statuses = {400, 413, 431, 501, 505};
  ParserLimits small{.max_line = 48, .max_header_bytes = 160, .max_headers = 5, .max_body = 40};
  int parsed = 0;
  std::set<int> seen;
  for (int i = 0; i < 6000; ++i) {
    bool request = random.below(2) == 0;
    const auto& corpus = request ? kRequests : kResponses;
    std::string input = corpus[random.below(corpus.size())];
    if (random.below(4) == 0) input += corpus[random.below(corpus.size())];  // pipelined
    input = mutate(std::move(input), random);
    ParserLimits limits = random.below(3) == 0 ? small : ParserLimits{};
    try {
      parse_all(request ? Parser::Kind::request : Parser::Kind::response, input, limits, random, random.below(5) == 0);
      ++parsed;
    } catch (const corio::HttpParseError& e) {
      INFO(e.what());
      REQUIRE(statuses.count(e.status()) == 1);
      REQUIRE(std::string_view(e.what()).substr(0, 9) == "bad HTTP ");
      seen.insert(e.status());
    }
  }
  CHECK(parsed > 500);  // the mutations leave many inputs valid, and many not
  CHECK(seen == statuses);
}
