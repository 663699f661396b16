// @chapter 13
// HTTP/1.1 messages as values: Headers (ordered fields, names compared
// without case, a name may repeat), Request and Response, the bytes each
// becomes on the wire (serialize), and Url, the one URL form the client
// takes (http://host:port/path?query). Plain HTTP only: no TLS, since the
// runtime depends on nothing beyond the standard library and POSIX.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corio::http {

// Ordered (name, value) fields; names compared case-insensitively; a name
// may repeat. Kept as sent (no joining), like h11's list of pairs.
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> fields);

  void add(std::string name, std::string value);                // append
  void set(std::string name, std::string value);                // replace every field of that name
  std::size_t remove(std::string_view name);                    // how many removed
  std::optional<std::string> get(std::string_view name) const;  // the first
  std::vector<std::string> get_all(std::string_view name) const;
  bool contains(std::string_view name) const;
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

  // Room for n fields without reallocating (the parser's, one call a message).
  void reserve(std::size_t n) { fields_.reserve(n); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method = "GET";
  std::string target = "/";  // as on the request line: path + "?query"
  int version = 11;          // 10 or 11 (HTTP/1.0, HTTP/1.1)
  Headers headers;
  std::string body;

  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // after '?', or ""
  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
  bool keep_alive() const;
};

struct Response {
  int status = 200;
  std::string reason;  // "" -> reason_phrase(status) when written
  int version = 11;
  Headers headers;
  std::string body;
  std::string url;  // filled by the client: the URL asked for

  bool keep_alive() const;  // as Request::keep_alive()
  bool is_success() const;  // 2xx
  // HttpStatusError for 4xx/5xx, its message naming the status, the reason
  // and the URL when known (httpx's wording); nothing otherwise.
  void raise_for_status() const;
  // A response with that body and Content-Type.
  static Response text(int status, std::string body, std::string content_type = "text/plain");
};

// "OK", "Not Found", ... ("" when unknown).
std::string_view reason_phrase(int status);

// The bytes on the wire. Content-Length is added when the message has a body
// and neither Content-Length nor Transfer-Encoding is set (and for responses
// always, except 1xx/204/304). With "Transfer-Encoding: chunked" set, the
// body goes as one chunk and the last chunk. head_only: the head without the
// body (the answer to HEAD, or a head whose body the caller writes itself).
std::string serialize(const Request& request);
std::string serialize(const Response& response, bool head_only = false);

// Splits "http://host:port/path?q" (port defaults to 80; a fragment is
// dropped). https:// and any other scheme -> InvalidURL, saying corio speaks
// plain HTTP only (no TLS). IPv6 literal hosts in brackets ("http://[::1]:8080/"),
// host kept without them.
struct Url {
  std::string host;
  int port = 80;
  std::string target = "/";

  // "host" or "host:port" when the port is not 80 (brackets around an IPv6
  // host): the Host header's value.
  std::string authority() const;
  static Url parse(std::string_view url);
};

}  // namespace corio::http
