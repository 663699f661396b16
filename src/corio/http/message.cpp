// @chapter 13
#include <corio/http/message.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <corio/errors.hpp>
#include <corio/http/detail/chars.hpp>
#include <corio/http/detail/serialize.hpp>

namespace corio::http {

using detail::iequals;

Headers::Headers(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::set(std::string name, std::string value) {
  remove(name);
  fields_.emplace_back(std::move(name), std::move(value));
}

std::size_t Headers::remove(std::string_view name) {
  std::size_t before = fields_.size();
  std::erase_if(fields_, [&](const auto& field) { return iequals(field.first, name); });
  return before - fields_.size();
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Headers::get_all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) values.push_back(v);
  }
  return values;
}

bool Headers::contains(std::string_view name) const {
  for (const auto& field : fields_) {
    if (iequals(field.first, name)) return true;
  }
  return false;
}

namespace {

// RFC 9112 section 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only
// with "keep-alive".
bool keep_alive_of(int version, const Headers& headers) {
  bool close = false;
  bool keep = false;
  for (const auto& [name, value] : headers.fields()) {
    if (iequals(name, "connection")) {
      close = close || detail::has_token(value, "close");
      keep = keep || detail::has_token(value, "keep-alive");
    }
  }
  if (close) return false;
  return version >= 11 || keep;
}

// Writes into a string sized beforehand to an upper bound, without a
// capacity check per piece; done() cuts the string to what was written.
class Writer {
 public:
  Writer(std::string& out, std::size_t bound) : out_(out) {
    out_.resize(bound);
    p_ = out_.data();
  }
  void put(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void put(char c) { *p_++ = c; }
  void number(std::size_t n, int base = 10) { p_ = std::to_chars(p_, p_ + kNumber, n, base).ptr; }
  void done() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }

  static constexpr std::size_t kNumber = 20;  // digits of any size_t

 private:
  std::string& out_;
  char* p_;
};

struct Framing {
  bool content_length = false;
  bool transfer_encoding = false;
  bool chunked = false;
  std::size_t bytes = 0;  // of the fields as written
};

// What serialize writes must read back as the same message: a CR or LF in a
// field, a target or a reason would start a line of the caller's choosing
// (header injection, response splitting), so it is refused, as Python's
// http.client refuses it ("Invalid header value").
[[noreturn]] void refuse(std::string_view what, std::string_view text) {
  std::string shown;
  for (char c : text) {
    if (c == '\r') {
      shown += "\\r";
    } else if (c == '\n') {
      shown += "\\n";
    } else {
      shown += detail::is(c, detail::kFieldValue) ? c : '?';
    }
  }
  throw ValueError("http::serialize: " + std::string(what) + " '" + shown +
                   "' holds a character it cannot (CR, LF or another control byte, or a space in a name or a "
                   "target): refused, as it would change where the message's lines end (header injection)");
}

bool is_token(std::string_view s) { return !s.empty() && detail::all_of(s, detail::kToken); }

Framing framing_of(const Headers& headers) {
  Framing f;
  for (const auto& [name, value] : headers.fields()) {
    if (!is_token(name)) refuse("the header name", name);
    if (!detail::all_of(value, detail::kFieldValue)) refuse("the value of header " + name + ":", value);
    f.bytes += name.size() + value.size() + 4;
    if (iequals(name, "content-length")) {
      f.content_length = true;
    } else if (iequals(name, "transfer-encoding")) {
      f.transfer_encoding = true;
      f.chunked = f.chunked || detail::has_token(value, "chunked");
    }
  }
  return f;
}

void put_fields(Writer& w, const Headers& headers) {
  for (const auto& [name, value] : headers.fields()) {
    w.put(name);
    w.put(": ");
    w.put(value);
    w.put("\r\n");
  }
}

constexpr std::size_t kFraming = 64 + 3 * Writer::kNumber;  // a Content-Length field, chunk framing, line ends

void put_body(Writer& w, std::string_view body, bool chunked) {
  if (!chunked) {
    w.put(body);
    return;
  }
  if (!body.empty()) {
    w.number(body.size(), 16);
    w.put("\r\n");
    w.put(body);
    w.put("\r\n");
  }
  w.put("0\r\n\r\n");
}

}  // namespace

std::string_view Request::path() const {
  return std::string_view(target).substr(0, std::string_view(target).find('?'));
}

std::string_view Request::query() const {
  std::size_t q = target.find('?');
  return q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
}

bool Request::keep_alive() const { return keep_alive_of(version, headers); }

bool Response::keep_alive() const { return keep_alive_of(version, headers); }

bool Response::is_success() const { return status >= 200 && status < 300; }

void Response::raise_for_status() const {
  if (status < 400 || status >= 600) return;
  std::string message = status < 500 ? "Client error '" : "Server error '";
  message += std::to_string(status);
  std::string_view phrase = reason.empty() ? reason_phrase(status) : std::string_view(reason);
  if (!phrase.empty()) {
    message += ' ';
    message += phrase;
  }
  message += '\'';
  if (!url.empty()) message += " for url '" + url + "'";
  throw HttpStatusError(status, message);
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.headers.add("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 102:
      return "Processing";
    case 103:
      return "Early Hints";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 205:
      return "Reset Content";
    case 206:
      return "Partial Content";
    case 207:
      return "Multi-Status";
    case 208:
      return "Already Reported";
    case 226:
      return "IM Used";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 305:
      return "Use Proxy";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 418:
      return "I'm a Teapot";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Content";
    case 423:
      return "Locked";
    case 424:
      return "Failed Dependency";
    case 425:
      return "Too Early";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 451:
      return "Unavailable For Legal Reasons";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    case 506:
      return "Variant Also Negotiates";
    case 507:
      return "Insufficient Storage";
    case 508:
      return "Loop Detected";
    case 510:
      return "Not Extended";
    case 511:
      return "Network Authentication Required";
    default:
      return "";
  }
}

std::string serialize(const Request& request) {
  if (!is_token(request.method)) refuse("the method", request.method);
  if (request.target.empty() || request.target.find(' ') != std::string::npos ||
      !detail::all_of(request.target, detail::kFieldValue))
    refuse("the target", request.target);
  Framing f = framing_of(request.headers);
  bool add_length = !request.body.empty() && !f.content_length && !f.transfer_encoding;
  std::string out;
  Writer w(out, request.method.size() + request.target.size() + f.bytes + request.body.size() + kFraming);
  w.put(request.method);
  w.put(' ');
  w.put(request.target);
  w.put(request.version == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  put_fields(w, request.headers);
  if (add_length) {
    w.put("Content-Length: ");
    w.number(request.body.size());
    w.put("\r\n");
  }
  w.put("\r\n");
  put_body(w, request.body, f.chunked);
  w.done();
  return out;
}

std::string serialize(const Response& response, bool head_only) {
  std::string out;
  detail::serialize_into(out, response, head_only);
  return out;
}

void detail::serialize_into(std::string& out, const Response& response, bool head_only) {
  Framing f = framing_of(response.headers);
  bool no_body = response.status < 200 || response.status == 204 || response.status == 304;
  bool add_length = !no_body && !f.content_length && !f.transfer_encoding;
  bool write_body = !head_only && !no_body;
  std::string_view reason = response.reason.empty() ? reason_phrase(response.status) : response.reason;
  if (!detail::all_of(reason, detail::kFieldValue)) refuse("the reason", reason);
  Writer w(out, reason.size() + f.bytes + (write_body ? response.body.size() : 0) + kFraming);
  w.put(response.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  w.number(static_cast<std::size_t>(response.status));
  w.put(' ');
  w.put(reason);
  w.put("\r\n");
  put_fields(w, response.headers);
  if (add_length) {
    w.put("Content-Length: ");
    w.number(response.body.size());
    w.put("\r\n");
  }
  w.put("\r\n");
  if (write_body) put_body(w, response.body, f.chunked);
  w.done();
}

std::string Url::authority() const {
  std::string out = host.find(':') == std::string::npos ? host : "[" + host + "]";
  if (port != 80) out += ":" + std::to_string(port);
  return out;
}

Url Url::parse(std::string_view url) {
  auto invalid = [&](const std::string& what) -> InvalidURL {
    return InvalidURL("Invalid URL '" + std::string(url) + "': " + what);
  };
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    throw InvalidURL("Request URL is missing an 'http://' protocol: '" + std::string(url) + "'");
  }
  std::string scheme;
  for (char c : url.substr(0, sep)) scheme += detail::ascii_lower(c);
  if (scheme == "https") {
    throw InvalidURL("https:// is not supported: '" + std::string(url) +
                     "': corio speaks plain HTTP only, with no TLS (the runtime depends on nothing beyond the "
                     "standard library and POSIX); use an http:// URL, or a TLS-terminating proxy");
  }
  if (scheme != "http") {
    throw InvalidURL("Request URL has an unsupported protocol '" + scheme + "://': '" + std::string(url) +
                     "'; corio speaks plain HTTP only (http://)");
  }
  std::string_view rest = url.substr(sep + 3);
  for (char c : rest) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) throw invalid("it holds whitespace or a control character");
  }
  rest = rest.substr(0, rest.find('#'));
  std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  Url result;
  if (end != std::string_view::npos) {
    std::string_view target = rest.substr(end);
    result.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
  }
  if (authority.find('@') != std::string_view::npos) throw invalid("credentials in a URL are not supported");
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) throw invalid("an IPv6 host without its closing ']'");
    result.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') throw invalid("text after the IPv6 host's ']'");
    if (result.host.empty() || result.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
      throw invalid("'[" + result.host + "]' is not an IPv6 address");
    }
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else {
    std::size_t colon = authority.find(':');
    result.host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
  }
  if (result.host.empty()) throw invalid("no host");
  if (has_port && !port.empty()) {
    int value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value < 1 || value > 65535) {
      throw InvalidURL("Invalid port: '" + std::string(port) + "' in '" + std::string(url) + "' (1 to 65535)");
    }
    result.port = value;
  }
  return result;
}

}  // namespace corio::http
