// @chapter 12
#include <corio/streams/transport.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <unordered_set>
#include <vector>

#include <corio/errors.hpp>
#include <corio/loop/diagnostics.hpp>
#include <corio/loop/loop.hpp>
#include <corio/net/address.hpp>
#include <corio/net/socket.hpp>
#include <corio/streams/detail/server_state.hpp>

namespace corio {

namespace {

// asyncio's max_size: the most one read takes off the socket. One buffer
// per thread serves every transport, so an idle connection holds none.
constexpr std::size_t kMaxRead = 256 * 1024;
// asyncio's LOG_THRESHOLD_FOR_CONNLOST_WRITES.
constexpr unsigned kWarnWritesAfterLost = 5;

char* read_buffer() {
  thread_local std::vector<char> buffer(kMaxRead);
  return buffer.data();
}

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

std::exception_ptr os_error(int err, const char* what) {
  try {
    throw_os_error(err, what);
  } catch (...) {
    return std::current_exception();
  }
}

// asyncio's _set_nodelay: small writes of a TCP stream go out at once.
void set_nodelay(int fd) {
  int domain = 0;
  socklen_t len = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) return;
  if (domain != AF_INET && domain != AF_INET6) return;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

namespace detail {

// The transports of one loop that still hold themselves (self_): one the
// program never closed would otherwise outlive its loop, socket and all,
// kept by nothing but itself. At the loop's close each is abandoned:
// reported (asyncio's ResourceWarning "unclosed transport") and its socket
// closed; its protocol's connection_lost does not run, as in asyncio.
class OpenTransports final : public LoopPart {
 public:
  static OpenTransports& of(Loop& loop) {
    std::unique_ptr<LoopPart>& part = LoopAccess::transports(loop);
    if (!part) part = std::make_unique<OpenTransports>();
    return static_cast<OpenTransports&>(*part);
  }
  void add(Transport* t) { open_.insert(t); }
  void remove(Transport* t) { open_.erase(t); }
  // Each is held while the others go: a protocol may hold another transport.
  void close() noexcept override {
    std::vector<std::shared_ptr<Transport>> left;
    for (Transport* t : open_) left.push_back(t->self_);
    open_.clear();
    for (const std::shared_ptr<Transport>& t : left) t->abandon();
  }

 private:
  std::unordered_set<Transport*> open_;
};

}  // namespace detail

std::shared_ptr<Transport> Transport::make(Socket socket, std::shared_ptr<Protocol> protocol) {
  int fd = socket.release();
  auto transport = std::make_shared<Transport>(get_running_loop(), fd, std::move(protocol));
  transport->start();
  return transport;
}

Transport::Transport(Loop& loop, int fd, std::shared_ptr<Protocol> protocol,
                     std::shared_ptr<detail::ServerState> server)
    : loop_(&loop), fd_(fd), protocol_(std::move(protocol)), server_(std::move(server)) {
  if (!protocol_) {
    ::close(fd_);
    throw InvalidArgument("Transport: the protocol is null (a ProtocolFactory must return a protocol)");
  }
  set_nodelay(fd_);
}

Transport::~Transport() {
  if (fd_ >= 0) ::close(fd_);
}

void Transport::start() {
  self_ = shared_from_this();
  detail::OpenTransports::of(*loop_).add(this);
  loop_->call_soon([self = self_] {
    // A connection_made that throws is reported, and the connection goes
    // on being read, as asyncio's (its call of connection_made and its
    // add_reader are two callbacks).
    try {
      self->protocol_->connection_made(*self);
    } catch (...) {
      ExceptionContext context("protocol.connection_made() failed", std::current_exception());
      self->loop_->call_exception_handler(context);
    }
    if (!self->is_reading()) return;
    // The loop may refuse the fd (select cannot watch one past FD_SETSIZE):
    // the connection ends, reported, instead of staying open unwatched.
    try {
      self->loop_->add_reader(self->fd_, [t = self.get()] { t->on_readable(); });
    } catch (...) {
      self->fatal_error(std::current_exception(), "Fatal error: the loop cannot watch the transport's socket");
    }
  });
}

void Transport::on_readable() {
  char* buf = read_buffer();
  ssize_t n = ::recv(fd_, buf, kMaxRead, 0);
  if (n < 0) {
    if (would_block(errno)) return;
    fatal_error(os_error(errno, "recv"), "Fatal read error on socket transport");
    return;
  }
  if (n == 0) {
    on_eof();
    return;
  }
  try {
    protocol_->data_received(std::string_view(buf, static_cast<std::size_t>(n)));
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
  }
}

void Transport::on_eof() {
  bool keep_open = false;
  try {
    keep_open = protocol_->eof_received();
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
    return;
  }
  if (keep_open) {
    // Nothing more to read, but the protocol may still write.
    loop_->remove_reader(fd_);
  } else {
    close();
  }
}

void Transport::write(std::string_view data) {
  if (eof_) throw RuntimeError("Cannot call write() after write_eof()");
  if (data.empty()) return;
  if (conn_lost_ > 0) {
    if (conn_lost_ >= kWarnWritesAfterLost) {
      detail::report(
          "socket.send() raised exception. (a write to a transport whose connection is lost; these writes "
          "are dropped)");
    }
    ++conn_lost_;
    return;
  }
  if (get_write_buffer_size() == 0) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (!would_block(errno)) {
        fatal_error(os_error(errno, "send"), "Fatal write error on socket transport");
        return;
      }
      n = 0;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    if (data.empty()) return;
    loop_->add_writer(fd_, [this] { on_writable(); });
    writing_ = true;
  }
  if (sent_ > 0 && sent_ >= buffer_.size() / 2) {
    buffer_.erase(0, sent_);
    sent_ = 0;
  }
  buffer_.append(data);
  maybe_pause_protocol();
}

void Transport::writelines(std::initializer_list<std::string_view> lines) {
  for (std::string_view line : lines) write(line);
}

void Transport::on_writable() {
  if (conn_lost_ > 0) return;
  ssize_t n = ::send(fd_, buffer_.data() + sent_, buffer_.size() - sent_, MSG_NOSIGNAL);
  if (n < 0) {
    if (would_block(errno)) return;
    int err = errno;
    loop_->remove_writer(fd_);
    writing_ = false;
    buffer_.clear();
    sent_ = 0;
    fatal_error(os_error(err, "send"), "Fatal write error on socket transport");
    return;
  }
  sent_ += static_cast<std::size_t>(n);
  if (sent_ == buffer_.size()) {
    // An idle connection keeps no large buffer.
    if (buffer_.capacity() > 4096) {
      std::string().swap(buffer_);
    } else {
      buffer_.clear();
    }
    sent_ = 0;
  }
  maybe_resume_protocol();  // may write more
  if (get_write_buffer_size() == 0 && writing_) {
    loop_->remove_writer(fd_);
    writing_ = false;
    if (closing_) {
      ++conn_lost_;  // as close() counts it when nothing is left to send: a later write() or abort() does nothing
      connection_lost(nullptr);
    } else if (eof_) {
      ::shutdown(fd_, SHUT_WR);
    }
  }
}

void Transport::write_eof() {
  if (closing_ || eof_) return;
  eof_ = true;
  if (get_write_buffer_size() == 0) ::shutdown(fd_, SHUT_WR);
}

void Transport::close() {
  if (closing_) return;
  closing_ = true;
  loop_->remove_reader(fd_);
  if (get_write_buffer_size() == 0) {
    ++conn_lost_;
    if (writing_) loop_->remove_writer(fd_);
    writing_ = false;
    // The loop's reference moves to the queued call: a loop that closes
    // before running it drops it, and the transport closes its fd.
    loop_->call_soon([self = let_go()] { self->connection_lost(nullptr); });
  }
}

void Transport::abort() { force_close(nullptr); }

void Transport::pause_reading() {
  if (closing_ || reading_paused_) return;
  reading_paused_ = true;
  loop_->remove_reader(fd_);
}

void Transport::resume_reading() {
  if (closing_ || !reading_paused_) return;
  reading_paused_ = false;
  loop_->add_reader(fd_, [this] { on_readable(); });
}

void Transport::set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
  std::size_t h = high ? *high : (low ? 4 * *low : kHighWater);
  std::size_t l = low ? *low : h / 4;
  if (h < l) {
    throw ValueError("high (" + std::to_string(h) + ") must be >= low (" + std::to_string(l) +
                     ") must be >= 0 (Transport::set_write_buffer_limits)");
  }
  high_water_ = h;
  low_water_ = l;
  maybe_pause_protocol();
}

std::optional<SocketAddress> Transport::get_extra_info(std::string_view name) const {
  if (fd_ < 0) return std::nullopt;
  int (*get)(int, sockaddr*, socklen_t*) = nullptr;
  if (name == "peername") get = ::getpeername;
  if (name == "sockname") get = ::getsockname;
  if (get == nullptr) return std::nullopt;
  SocketAddress address;
  socklen_t len = SocketAddress::capacity();
  if (get(fd_, address.data(), &len) != 0) return std::nullopt;
  address.resize(len);
  return address;
}

void Transport::maybe_pause_protocol() {
  if (get_write_buffer_size() <= high_water_ || protocol_paused_) return;
  protocol_paused_ = true;
  try {
    protocol_->pause_writing();
  } catch (...) {
    ExceptionContext context("protocol.pause_writing() failed", std::current_exception());
    loop_->call_exception_handler(context);
  }
}

void Transport::maybe_resume_protocol() {
  if (!protocol_paused_ || get_write_buffer_size() > low_water_) return;
  protocol_paused_ = false;
  try {
    protocol_->resume_writing();
  } catch (...) {
    ExceptionContext context("protocol.resume_writing() failed", std::current_exception());
    loop_->call_exception_handler(context);
  }
}

void Transport::fatal_error(std::exception_ptr error, const char* message) {
  // A failed system call is the connection's end, told to the protocol;
  // anything else is a bug worth the exception handler (as asyncio).
  try {
    std::rethrow_exception(error);
  } catch (const OSError&) {
  } catch (...) {
    ExceptionContext context(message, error);
    loop_->call_exception_handler(context);
  }
  force_close(error);
}

void Transport::force_close(std::exception_ptr error) {
  if (conn_lost_ > 0) return;
  if (get_write_buffer_size() > 0 || writing_) {
    std::string().swap(buffer_);
    sent_ = 0;
    loop_->remove_writer(fd_);
    writing_ = false;
  }
  if (!closing_) {
    closing_ = true;
    loop_->remove_reader(fd_);
  }
  ++conn_lost_;
  loop_->call_soon([self = let_go(), error] { self->connection_lost(error); });
}

std::shared_ptr<Transport> Transport::let_go() {
  if (self_) detail::OpenTransports::of(*loop_).remove(this);
  return std::move(self_);
}

void Transport::abandon() noexcept {
  detail::report("ResourceWarning: unclosed transport <Transport fd=" + std::to_string(fd_) +
                 ">: its loop closed while the connection was open, so its socket is closed now, without "
                 "connection_lost; close() a transport (or let its peer close it) before the loop ends");
  closing_ = true;
  ++conn_lost_;
  ::close(fd_);
  fd_ = -1;
  std::string().swap(buffer_);
  sent_ = 0;
  server_.reset();
  protocol_.reset();  // a protocol that holds the transport holds it no more
  std::shared_ptr<Transport> keep = std::move(self_);  // may be the last: it goes last
}

void Transport::connection_lost(std::exception_ptr error) {
  std::shared_ptr<Transport> keep = let_go();
  loop_->remove_reader(fd_);
  loop_->remove_writer(fd_);
  // As asyncio's _call_connection_lost: the socket closes, and the server
  // counts the connection out, after the protocol was told, whatever it did.
  struct Finish {
    Transport* t;
    std::shared_ptr<detail::ServerState> server;
    ~Finish() {
      ::close(t->fd_);
      t->fd_ = -1;
      t->protocol_.reset();
      if (server) detail::server_detach(*server);
    }
  } finish{this, std::move(server_)};
  protocol_->connection_lost(error);
}

}  // namespace corio
