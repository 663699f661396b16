// @chapter 13
// The incremental HTTP/1.1 parser both sides share (RFC 9112), in h11's
// manner: it does no I/O. Feed it bytes as they arrive; it consumes up to
// the end of one message and stops there, so the rest (a pipelined next
// request) stays with the caller. Every malformed input or limit passed is
// an HttpParseError whose status() is what a server answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <corio/http/message.hpp>

namespace corio::http {

struct ParserLimits {
  std::size_t max_line = 8 * 1024;           // request/status line, each header line; 431 past it
  std::size_t max_header_bytes = 32 * 1024;  // the whole header block (and the trailers); 431
  std::size_t max_headers = 100;             // fields in the header block (and the trailers); 431
  std::size_t max_body = 16 * 1024 * 1024;   // 413
};

// Push parser for one direction of a connection.
class Parser {
 public:
  enum class Kind { request, response };

  explicit Parser(Kind kind, ParserLimits limits = {});

  // Consumes bytes; returns how many it used (< data.size() only once a
  // message is complete, and 0 while one waits to be taken). Throws
  // HttpParseError on malformed input or a limit passed (the message says
  // what, with the limit); the parser is then unusable.
  std::size_t feed(std::string_view data);
  // End of input: completes a read-to-close response body; throws
  // HttpParseError (400) when a message is cut short (the client maps it to
  // RemoteProtocolError). Returns true when a message is complete, false
  // when no byte of one had come.
  bool feed_eof();

  bool done() const { return state_ == State::done; }         // a whole message is ready
  bool started() const { return started_; }                   // some bytes of a message were fed
  bool head_done() const { return state_ > State::headers; }  // start line and headers parsed

  // Responses only: the request was HEAD, so the next final response has no
  // body whatever its headers say.
  void expect_head_response() { head_response_ = true; }

  // When done(): the message; the parser resets for the next one.
  // InvalidStateError before that, or on the other kind's parser.
  Request take_request();
  Response take_response();

 private:
  enum class State : std::uint8_t {
    start_line,
    headers,
    body_length,    // remaining_ bytes of a Content-Length body
    chunk_size,     // a chunk-size line
    chunk_data,     // remaining_ bytes of a chunk
    chunk_cr,       // the CRLF after a chunk's data
    chunk_lf,       // its LF, after the CR
    trailers,       // trailer fields until an empty line
    body_to_close,  // a response body that ends with the connection
    done,
    failed,
  };

  std::size_t feed_lines(std::string_view data, std::size_t pos);
  void check_partial_line();
  [[noreturn]] void line_too_long();
  void on_line(std::string_view line);
  int parse_version(std::string_view version);
  void on_start_line(std::string_view line);
  void on_header_line(std::string_view line, bool trailer);
  void on_content_length(std::string_view value);
  void on_transfer_encoding(std::string_view value);
  void on_head_end();
  void on_chunk_size(std::string_view line);
  void reset();
  [[noreturn]] void fail(int status, const std::string& message);
  Headers& headers();
  std::string& body();

  Kind kind_;
  ParserLimits limits_;
  State state_ = State::start_line;
  bool started_ = false;
  bool head_response_ = false;
  bool chunked_ = false;
  std::size_t remaining_ = 0;     // body or chunk bytes still to come
  std::size_t block_bytes_ = 0;   // bytes of the header block (or trailers) so far
  std::size_t block_fields_ = 0;  // fields in it
  std::uint64_t content_length_ = 0;
  bool has_content_length_ = false;
  std::string line_;  // a line cut by the end of a feed, kept until its end arrives
  Request request_;
  Response response_;
};

}  // namespace corio::http
