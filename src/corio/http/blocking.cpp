// @chapter 13
// blocking_get: the synchronous client the chapter's baselines measure
// corio against. Plain blocking POSIX calls, one at a time, each bounded by
// SO_SNDTIMEO/SO_RCVTIMEO (Linux applies SO_SNDTIMEO to connect() too),
// and the same parser as the Client.
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include <corio/errors.hpp>
#include <corio/http/client.hpp>
#include <corio/http/detail/eof.hpp>

namespace corio::http {

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool timed_out(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS; }

std::string limit_text(const char* name, double timeout, const std::string& doing, const std::string& url) {
  std::ostringstream out;
  out << name << " timeout (" << timeout << " s) passed while " << doing << " for blocking_get(" << url << ")";
  return out.str();
}

}  // namespace

Response blocking_get(std::string url, double timeout) {
  Url parsed = Url::parse(url);
  Request request;
  request.target = parsed.target;
  request.headers.add("Host", parsed.authority());
  request.headers.add("Accept", "*/*");
  request.headers.add("User-Agent", "corio-http");
  request.headers.add("Connection", "close");
  const std::string wire = serialize(request);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* infos = nullptr;
  std::string port = std::to_string(parsed.port);
  if (int rc = ::getaddrinfo(parsed.host.c_str(), port.c_str(), &hints, &infos); rc != 0) {
    throw AddressResolutionError(
        "blocking_get(" + url + "): getaddrinfo(" + parsed.host + ", " + port + "): " + ::gai_strerror(rc), rc);
  }
  timeval limit{};
  if (timeout > 0) {
    double whole = std::floor(timeout);
    limit.tv_sec = static_cast<time_t>(whole);
    limit.tv_usec = static_cast<suseconds_t>((timeout - whole) * 1e6);
    if (limit.tv_sec == 0 && limit.tv_usec == 0) limit.tv_usec = 1;
  }
  int fd = -1;
  int err = 0;
  for (addrinfo* a = infos; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    err = errno;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(infos);
  if (fd < 0) {
    if (timed_out(err)) throw ConnectTimeout(limit_text("connect", timeout, "connecting to " + parsed.host, url));
    throw_os_error(err, "blocking_get(" + url + "): connect to " + parsed.host + ":" + port);
  }
  Fd sock(fd);

  std::string_view rest = wire;
  while (!rest.empty()) {
    ssize_t n = ::send(sock.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && timed_out(errno)) throw WriteTimeout(limit_text("write", timeout, "sending the request", url));
    if (n < 0) throw_os_error(errno, "blocking_get(" + url + "): send");
    rest.remove_prefix(static_cast<std::size_t>(n));
  }

  Parser parser(Parser::Kind::response);
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && timed_out(errno)) throw ReadTimeout(limit_text("read", timeout, "waiting for the response", url));
    if (n < 0) throw_os_error(errno, "blocking_get(" + url + "): recv");
    if (n == 0) {
      if (std::optional<std::string> why = detail::cut_short_at_eof(parser)) {
        throw RemoteProtocolError("blocking_get(" + url + "): the server closed the connection " +
                                  (parser.started() ? "in the middle of the response" : "without a response") + *why);
      }
      Response r = parser.take_response();
      r.url = std::move(url);
      return r;
    }
    std::string_view data(buf, static_cast<std::size_t>(n));
    while (!data.empty()) {
      try {
        data.remove_prefix(parser.feed(data));
      } catch (const HttpParseError& e) {
        throw RemoteProtocolError("blocking_get(" + url + "): malformed response: " + e.what());
      }
      if (!parser.done()) break;
      Response r = parser.take_response();
      if (r.status >= 100 && r.status < 200 && r.status != 101) continue;  // the real one follows
      r.url = std::move(url);
      return r;
    }
  }
}

}  // namespace corio::http
