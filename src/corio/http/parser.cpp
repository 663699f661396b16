// @chapter 13
#include <corio/http/parser.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include <corio/errors.hpp>
#include <corio/http/detail/chars.hpp>

namespace corio::http {

using detail::iequals;

namespace {

constexpr std::size_t kBodyReserve = 64 * 1024;  // at most this much reserved ahead of a body's bytes

// A piece of the input for an error message: at most 60 bytes, with
// anything unprintable as \xNN.
std::string quote(std::string_view s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < 60; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  out += s.size() > 60 ? "'..." : "'";
  return out;
}

std::string limit_text(std::size_t limit, const char* name) {
  return std::to_string(limit) + " bytes (ParserLimits::" + name + ")";
}

}  // namespace

Parser::Parser(Kind kind, ParserLimits limits) : kind_(kind), limits_(limits) {}

Headers& Parser::headers() { return kind_ == Kind::request ? request_.headers : response_.headers; }

std::string& Parser::body() { return kind_ == Kind::request ? request_.body : response_.body; }

void Parser::fail(int status, const std::string& message) {
  state_ = State::failed;
  throw HttpParseError(status, (kind_ == Kind::request ? "bad HTTP request: " : "bad HTTP response: ") + message);
}

std::size_t Parser::feed(std::string_view data) {
  if (state_ == State::failed) {
    throw InvalidStateError("Parser::feed() after an HttpParseError: the connection's input is not HTTP; close it");
  }
  std::size_t pos = 0;
  while (pos < data.size()) {
    switch (state_) {
      case State::done:
        return pos;
      case State::start_line:
      case State::headers:
      case State::chunk_size:
      case State::trailers:
        pos = feed_lines(data, pos);
        break;
      case State::body_length:
      case State::chunk_data: {
        std::size_t n = std::min(remaining_, data.size() - pos);
        body().append(data.data() + pos, n);
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          if (state_ == State::body_length) {
            state_ = State::done;
          } else {
            state_ = State::chunk_cr;
          }
        }
        break;
      }
      case State::chunk_cr:
      case State::chunk_lf: {
        char c = data[pos++];
        if (c == '\n') {
          state_ = State::chunk_size;
        } else if (c == '\r' && state_ == State::chunk_cr) {
          state_ = State::chunk_lf;
        } else {
          fail(400, "a chunk's data is not followed by CRLF (the chunk is longer than its size line says)");
        }
        break;
      }
      case State::body_to_close: {
        std::size_t n = data.size() - pos;
        if (body().size() + n > limits_.max_body) {
          fail(413, "the body is larger than " + limit_text(limits_.max_body, "max_body"));
        }
        body().append(data.data() + pos, n);
        pos += n;
        break;
      }
      case State::failed:
        break;
    }
  }
  return pos;
}

// Takes the lines of data from pos while the parser reads lines; a line the
// data cuts short waits in line_ for its end.
std::size_t Parser::feed_lines(std::string_view data, std::size_t pos) {
  while (pos < data.size() && (state_ == State::start_line || state_ == State::headers || state_ == State::chunk_size ||
                               state_ == State::trailers)) {
    const char* begin = data.data() + pos;
    const void* found = std::memchr(begin, '\n', data.size() - pos);
    std::size_t max = limits_.max_line;
    if (found == nullptr) {
      std::string_view tail = data.substr(pos);
      if (!started_ && tail.find_first_not_of('\r') != std::string_view::npos) started_ = true;
      line_.append(tail);
      check_partial_line();
      return data.size();
    }
    std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(found) - data.data());
    std::string_view line = data.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line_.empty()) {
      line_.append(line);
      line = line_;
    }
    if (line.size() > max + 1) {
      line_too_long();
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line);
    line_.clear();
  }
  return pos;
}

void Parser::check_partial_line() {
  if (line_.size() > limits_.max_line + 1) line_too_long();
  if ((state_ == State::headers || state_ == State::trailers) &&
      block_bytes_ + line_.size() > limits_.max_header_bytes) {
    fail(431, "the header block is larger than " + limit_text(limits_.max_header_bytes, "max_header_bytes"));
  }
}

void Parser::line_too_long() {
  switch (state_) {
    case State::start_line:
      fail(431, std::string(kind_ == Kind::request ? "the request line" : "the status line") + " is longer than " +
                    limit_text(limits_.max_line, "max_line"));
    case State::chunk_size:
      fail(400, "a chunk size line is longer than " + limit_text(limits_.max_line, "max_line"));
    default:
      fail(431, "a header line is longer than " + limit_text(limits_.max_line, "max_line"));
  }
}

void Parser::on_line(std::string_view line) {
  switch (state_) {
    case State::start_line:
      if (line.empty()) return;  // RFC 9112 section 2.2: empty lines before a message are ignored
      started_ = true;
      on_start_line(line);
      state_ = State::headers;
      block_bytes_ = 0;
      block_fields_ = 0;
      headers().reserve(8);
      return;
    case State::headers:
      if (line.empty()) {
        on_head_end();
      } else {
        on_header_line(line, false);
      }
      return;
    case State::chunk_size:
      on_chunk_size(line);
      return;
    case State::trailers:
      if (line.empty()) {
        state_ = State::done;
      } else {
        on_header_line(line, true);
      }
      return;
    default:
      return;
  }
}

int Parser::parse_version(std::string_view version) {
  if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[5] >= '0' && version[5] <= '9' &&
      version[6] == '.' && version[7] >= '0' && version[7] <= '9') {
    if (version == "HTTP/1.1") return 11;
    if (version == "HTTP/1.0") return 10;
    fail(505, "unsupported HTTP version " + quote(version) + ": corio speaks HTTP/1.0 and HTTP/1.1");
  }
  fail(400, "malformed HTTP version " + quote(version) + " (expected HTTP/1.1 or HTTP/1.0)");
}

void Parser::on_start_line(std::string_view line) {
  if (kind_ == Kind::request) {
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) {
      fail(400, "malformed request line " + quote(line) + " (expected 'METHOD target HTTP/1.1')");
    }
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (method.empty() || !detail::all_of(method, detail::kToken)) {
      fail(400, "malformed method in the request line " + quote(line));
    }
    if (target.empty()) fail(400, "empty request target in the request line " + quote(line));
    for (char c : target) {
      if (c == '\t' || !detail::is(c, detail::kFieldValue)) {
        fail(400, "invalid character in the request target " + quote(target));
      }
    }
    request_.version = parse_version(line.substr(sp2 + 1));
    request_.method.assign(method);
    request_.target.assign(target);
    return;
  }
  std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos || line.substr(0, 5) != "HTTP/") {
    fail(400, "malformed status line " + quote(line) + " (expected 'HTTP/1.1 200 OK')");
  }
  response_.version = parse_version(line.substr(0, sp));
  std::string_view rest = line.substr(sp + 1);
  if (rest.size() < 3 || (rest.size() > 3 && rest[3] != ' ') || rest[0] < '1' || rest[0] > '9' || rest[1] < '0' ||
      rest[1] > '9' || rest[2] < '0' || rest[2] > '9') {
    fail(400, "malformed status code in the status line " + quote(line));
  }
  response_.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  std::string_view reason = rest.size() > 3 ? rest.substr(4) : std::string_view();
  if (!detail::all_of(reason, detail::kFieldValue)) {
    fail(400, "invalid character in the reason phrase of the status line " + quote(line));
  }
  response_.reason.assign(reason);
}

void Parser::on_header_line(std::string_view line, bool trailer) {
  const char* block = trailer ? "the trailer block" : "the header block";
  if (line.front() == ' ' || line.front() == '\t') {
    fail(400, "obsolete line folding (a line of " + std::string(block) + " starting with whitespace " + quote(line) +
                  ") is rejected (RFC 9112 section 5.2)");
  }
  block_bytes_ += line.size() + 2;
  if (block_bytes_ > limits_.max_header_bytes) {
    fail(431, std::string(block) + " is larger than " + limit_text(limits_.max_header_bytes, "max_header_bytes"));
  }
  if (++block_fields_ > limits_.max_headers) {
    fail(431, std::string(block) + " has more than " + std::to_string(limits_.max_headers) +
                  " fields (ParserLimits::max_headers)");
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    fail(400, "malformed header line " + quote(line) + " (expected 'Name: value')");
  }
  std::string_view name = line.substr(0, colon);
  if (!detail::all_of(name, detail::kToken)) {
    if (name.back() == ' ' || name.back() == '\t') {
      fail(400, "whitespace between a header name and its ':' is rejected (RFC 9112 section 5.1): " + quote(line));
    }
    fail(400, "invalid character in the header name " + quote(name));
  }
  std::string_view value = detail::trim_ows(line.substr(colon + 1));
  if (!detail::all_of(value, detail::kFieldValue)) {
    fail(400, "invalid character in the value of header " + quote(name));
  }
  if (name.size() == 14 && iequals(name, "content-length")) {
    if (trailer) return;  // framing belongs to the head (RFC 9110 section 6.5.1)
    on_content_length(value);
  } else if (name.size() == 17 && iequals(name, "transfer-encoding")) {
    if (trailer) return;
    on_transfer_encoding(value);
  } else if (trailer && name.size() == 4 && iequals(name, "host")) {
    return;
  }
  headers().add(std::string(name), std::string(value));
}

void Parser::on_content_length(std::string_view value) {
  bool any = false;
  detail::for_each_element(value, [&](std::string_view element) {
    any = true;
    if (!std::all_of(element.begin(), element.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      fail(400, "malformed Content-Length " + quote(value));
    }
    std::uint64_t n = 0;
    for (char c : element) {
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
      if (n > (std::uint64_t{1} << 53)) break;  // far past any limit; stops the overflow
    }
    if (has_content_length_ && n != content_length_) {
      fail(400, "two different Content-Length values (" + std::to_string(content_length_) + " and " + quote(element) +
                    "): rejected, a request smuggling risk (RFC 9112 section 6.3)");
    }
    has_content_length_ = true;
    content_length_ = n;
  });
  if (!any) fail(400, "empty Content-Length");
}

void Parser::on_transfer_encoding(std::string_view value) {
  bool any = false;
  detail::for_each_element(value, [&](std::string_view coding) {
    any = true;
    if (!iequals(coding, "chunked")) {
      fail(501, "unsupported Transfer-Encoding " + quote(coding) + ": corio decodes only 'chunked'");
    }
    if (chunked_) fail(400, "Transfer-Encoding applies 'chunked' twice (" + quote(value) + ")");
    chunked_ = true;
  });
  if (!any) fail(400, "empty Transfer-Encoding");
}

void Parser::on_head_end() {
  if (chunked_ && has_content_length_) {
    fail(400, "both Content-Length and Transfer-Encoding: rejected, a request smuggling risk (RFC 9112 section 6.1)");
  }
  int version = kind_ == Kind::request ? request_.version : response_.version;
  if (chunked_ && version == 10) {
    fail(400, "Transfer-Encoding in an HTTP/1.0 message: its framing is faulty (RFC 9112 section 6.1)");
  }
  if (kind_ == Kind::response) {
    int status = response_.status;
    if (head_response_ || status < 200 || status == 204 || status == 304) {
      state_ = State::done;
      return;
    }
  }
  if (chunked_) {
    state_ = State::chunk_size;
  } else if (has_content_length_) {
    if (content_length_ > limits_.max_body) {
      fail(413, "Content-Length " + std::to_string(content_length_) + " is larger than " +
                    limit_text(limits_.max_body, "max_body"));
    }
    remaining_ = static_cast<std::size_t>(content_length_);
    body().reserve(std::min(remaining_, kBodyReserve));
    state_ = remaining_ == 0 ? State::done : State::body_length;
  } else if (kind_ == Kind::response) {
    state_ = State::body_to_close;
  } else {
    state_ = State::done;
  }
}

void Parser::on_chunk_size(std::string_view line) {
  std::size_t semicolon = line.find(';');
  std::string_view size = detail::trim_ows(line.substr(0, semicolon));
  if (size.empty() || size.size() != line.substr(0, semicolon).find_last_not_of(" \t") + 1 ||
      !detail::all_of(size, detail::kHex)) {
    fail(400, "malformed chunk size line " + quote(line));
  }
  if (semicolon != std::string_view::npos && !detail::all_of(line.substr(semicolon), detail::kFieldValue)) {
    fail(400, "invalid character in the chunk extension of " + quote(line));
  }
  std::size_t first = size.find_first_not_of('0');
  size = first == std::string_view::npos ? std::string_view("0") : size.substr(first);
  std::uint64_t n = 0;
  if (size.size() > 13) {
    n = std::uint64_t{1} << 53;
  } else {
    for (char c : size) {
      int digit = c <= '9' ? c - '0' : detail::ascii_lower(c) - 'a' + 10;
      n = n * 16 + static_cast<std::uint64_t>(digit);
    }
  }
  if (body().size() + n > limits_.max_body) {
    fail(413, "the chunked body is larger than " + limit_text(limits_.max_body, "max_body"));
  }
  if (n == 0) {
    state_ = State::trailers;
    block_bytes_ = 0;
    block_fields_ = 0;
    return;
  }
  remaining_ = static_cast<std::size_t>(n);
  state_ = State::chunk_data;
}

bool Parser::feed_eof() {
  switch (state_) {
    case State::done:
      return true;
    case State::body_to_close:
      state_ = State::done;
      return true;
    case State::start_line:
      if (!started_) {
        line_.clear();
        return false;
      }
      fail(400, std::string("the connection closed in the middle of the ") +
                    (kind_ == Kind::request ? "request line" : "status line"));
    case State::headers:
      fail(400, "the connection closed in the middle of the header block");
    case State::body_length:
      fail(400, "the connection closed " + std::to_string(remaining_) + " bytes before the end of a " +
                    std::to_string(content_length_) + "-byte body (Content-Length)");
    case State::failed:
      throw InvalidStateError("Parser::feed_eof() after an HttpParseError: the connection's input is not HTTP");
    default:
      fail(400, "the connection closed in the middle of a chunked body");
  }
}

void Parser::reset() {
  state_ = State::start_line;
  started_ = false;
  chunked_ = false;
  has_content_length_ = false;
  content_length_ = 0;
  remaining_ = 0;
  block_bytes_ = 0;
  block_fields_ = 0;
}

Request Parser::take_request() {
  if (kind_ != Kind::request) throw InvalidStateError("Parser::take_request() on a parser of responses");
  if (state_ != State::done) {
    throw InvalidStateError("Parser::take_request() before a whole request was parsed (check done())");
  }
  Request request = std::move(request_);
  request_ = Request();
  reset();
  return request;
}

Response Parser::take_response() {
  if (kind_ != Kind::response) throw InvalidStateError("Parser::take_response() on a parser of requests");
  if (state_ != State::done) {
    throw InvalidStateError("Parser::take_response() before a whole response was parsed (check done())");
  }
  Response response = std::move(response_);
  response_ = Response();
  if (response.status >= 200) head_response_ = false;
  reset();
  return response;
}

}  // namespace corio::http
