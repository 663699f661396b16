// @chapter 12
// Socket and the loop's socket coroutines: socket.hpp says what they do.
// Each coroutine follows asyncio's selector loop: try the call; when the
// kernel answers EAGAIN, await the fd and try again.
#include <corio/net/socket.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <corio/errors.hpp>
#include <corio/tasks/fd_wait.hpp>

namespace corio {

// Python's OSError(errno, text) picks its subclass from the errno (PEP
// 3151); the classes corio has are the ones sockets raise.
void throw_os_error(int err, const std::string& what) {
  std::string message = what + ": [Errno " + std::to_string(err) + "] " + std::strerror(err);
  switch (err) {
    case EPIPE:
    case ESHUTDOWN:
      throw BrokenPipeError(message, err);
    case ECONNABORTED:
      throw ConnectionAbortedError(message, err);
    case ECONNREFUSED:
      throw ConnectionRefusedError(message, err);
    case ECONNRESET:
      throw ConnectionResetError(message, err);
    case ETIMEDOUT:
      throw TimeoutError(message, err);
    default:
      throw OSError(message, err);
  }
}

namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

void set_flag(int fd, int get, int set, int flag) {
  int flags = ::fcntl(fd, get);
  if (flags >= 0 && (flags & flag) == flag) return;
  if (flags < 0 || ::fcntl(fd, set, flags | flag) < 0) {
    throw_os_error(errno, "Socket(" + std::to_string(fd) + "): fcntl");
  }
}

// The socket as an error message names it: its peer when it has one.
std::string describe(const Socket& sock) {
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  if (::getpeername(sock.fd(), reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    return "fd " + std::to_string(sock.fd()) + " connected to " +
           SocketAddress(reinterpret_cast<sockaddr*>(&peer), len).to_string();
  }
  return "fd " + std::to_string(sock.fd());
}

void check_open(const Socket& sock, const char* call) {
  if (!sock.is_open())
    throw_os_error(EBADF, std::string(call) + ": the Socket is not open (closed, moved from or released)");
}

Socket make_socket(int family, const char* what) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_os_error(errno, what);
  return Socket::adopt_nonblocking(fd);
}

}  // namespace

Socket::Socket(int fd) : fd_(fd) {
  if (fd < 0) throw InvalidArgument("Socket(" + std::to_string(fd) + "): not a file descriptor");
  try {
    set_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK);
    set_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC);
  } catch (...) {
    fd_ = -1;  // not adopted: the caller keeps it
    throw;
  }
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Socket Socket::tcp(int family) {
  if (family != AF_INET && family != AF_INET6) {
    throw InvalidArgument("Socket::tcp: family " + std::to_string(family) + " is neither AF_INET nor AF_INET6");
  }
  return make_socket(family, "Socket::tcp: socket()");
}

Socket Socket::unix_stream() { return make_socket(AF_UNIX, "Socket::unix_stream: socket()"); }

void Socket::close() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

void Socket::bind(const SocketAddress& address) {
  check_open(*this, "Socket::bind");
  if (::bind(fd_, address.data(), address.size()) != 0) throw_os_error(errno, "bind to " + address.to_string());
}

void Socket::listen(int backlog) {
  check_open(*this, "Socket::listen");
  if (::listen(fd_, backlog) != 0) throw_os_error(errno, "listen on fd " + std::to_string(fd_));
}

void Socket::set_reuse_address(bool on) {
  check_open(*this, "Socket::set_reuse_address");
  int value = on ? 1 : 0;
  if (::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &value, sizeof value) != 0) {
    throw_os_error(errno, "setsockopt(SO_REUSEADDR) on fd " + std::to_string(fd_));
  }
}

SocketAddress Socket::local_address() const {
  check_open(*this, "Socket::local_address");
  SocketAddress a;
  socklen_t len = SocketAddress::capacity();
  if (::getsockname(fd_, a.data(), &len) != 0) throw_os_error(errno, "getsockname on fd " + std::to_string(fd_));
  a.resize(len);
  return a;
}

SocketAddress Socket::peer_address() const {
  check_open(*this, "Socket::peer_address");
  SocketAddress a;
  socklen_t len = SocketAddress::capacity();
  if (::getpeername(fd_, a.data(), &len) != 0) throw_os_error(errno, "getpeername on fd " + std::to_string(fd_));
  a.resize(len);
  return a;
}

void Socket::shutdown_write() {
  check_open(*this, "Socket::shutdown_write");
  if (::shutdown(fd_, SHUT_WR) != 0) throw_os_error(errno, "shutdown(SHUT_WR) on " + describe(*this));
}

// EINPROGRESS: the handshake goes on; writable means it ended, and
// SO_ERROR says how (asyncio's _sock_connect_cb).
Coro<void> sock_connect(Socket& sock, SocketAddress address) {
  check_open(sock, "sock_connect");
  if (::connect(sock.fd(), address.data(), address.size()) == 0) co_return;
  int err = errno;
  if (err != EINPROGRESS && err != EINTR) throw_os_error(err, "sock_connect to " + address.to_string());
  co_await writable(sock.fd());
  socklen_t len = sizeof err;
  if (::getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) throw_os_error(err, "sock_connect to " + address.to_string());
}

Coro<std::pair<Socket, SocketAddress>> sock_accept(Socket& sock) {
  check_open(sock, "sock_accept");
  for (;;) {
    SocketAddress peer;
    socklen_t len = SocketAddress::capacity();
    int fd = ::accept4(sock.fd(), peer.data(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      peer.resize(len);
      co_return std::pair<Socket, SocketAddress>(Socket::adopt_nonblocking(fd), peer);
    }
    int err = errno;
    if (!would_block(err)) throw_os_error(err, "sock_accept on fd " + std::to_string(sock.fd()));
    co_await readable(sock.fd());
  }
}

Coro<std::size_t> sock_recv_into(Socket& sock, std::span<char> buf) {
  check_open(sock, "sock_recv_into");
  for (;;) {
    ssize_t n = ::recv(sock.fd(), buf.data(), buf.size(), 0);
    if (n >= 0) co_return static_cast<std::size_t>(n);
    int err = errno;
    if (!would_block(err)) throw_os_error(err, "sock_recv_into on " + describe(sock));
    co_await readable(sock.fd());
  }
}

Coro<std::string> sock_recv(Socket& sock, std::size_t max) {
  check_open(sock, "sock_recv");
  std::string data(max, '\0');
  for (;;) {
    ssize_t n = ::recv(sock.fd(), data.data(), data.size(), 0);
    if (n >= 0) {
      data.resize(static_cast<std::size_t>(n));
      co_return data;
    }
    int err = errno;
    if (!would_block(err)) throw_os_error(err, "sock_recv on " + describe(sock));
    co_await readable(sock.fd());
  }
}

Coro<void> sock_sendall(Socket& sock, std::string_view data) {
  check_open(sock, "sock_sendall");
  while (!data.empty()) {
    ssize_t n = ::send(sock.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    int err = errno;
    if (!would_block(err)) throw_os_error(err, "sock_sendall on " + describe(sock));
    co_await writable(sock.fd());
  }
}

}  // namespace corio
