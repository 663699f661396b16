// @chapter 12
// Socket: the owner of one non-blocking, close-on-exec socket fd, and the
// loop's socket coroutines, asyncio's loop.sock_connect, sock_accept,
// sock_recv, sock_recv_into and sock_sendall. Each tries the system call
// first and, when the kernel says it would block, waits for the fd with
// chapter 04's readable()/writable() and tries again: the same shape as
// asyncio's selector loop. Each is cancellable (the wait removes its reader
// or writer) and throws the OSError subclass Python would raise for the
// errno (ConnectionRefusedError, ConnectionResetError, BrokenPipeError,
// TimeoutError, ...). Writes pass MSG_NOSIGNAL: a peer that went away is an
// exception, never a SIGPIPE that kills the process.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <corio/net/address.hpp>
#include <corio/tasks/coro.hpp>

namespace corio {

class Socket {
 public:
  // No socket (fd() is -1).
  Socket() noexcept = default;
  // Adopts an open socket fd, and makes it non-blocking and close-on-exec.
  explicit Socket(int fd);
  // Adopts an fd that socket() or accept4() made with SOCK_NONBLOCK |
  // SOCK_CLOEXEC, whose flags are set already: no fcntl (four system calls
  // saved on each connection; nothing is checked).
  static Socket adopt_nonblocking(int fd) noexcept {
    Socket sock;
    sock.fd_ = fd;
    return sock;
  }
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  // A TCP socket of family AF_INET or AF_INET6.
  static Socket tcp(int family = AF_INET);
  // A Unix stream socket.
  static Socket unix_stream();

  int fd() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }
  // Gives the fd up to the caller, who closes it; the Socket is empty after.
  int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the fd (nothing when empty). Close a socket only once no
  // coroutine awaits it: cancel those first (a wait the loop drops because
  // its fd closed ends in RuntimeError).
  void close() noexcept;

  void bind(const SocketAddress& address);
  void listen(int backlog = 100);
  void set_reuse_address(bool on);
  SocketAddress local_address() const;
  SocketAddress peer_address() const;
  // shutdown(SHUT_WR): the peer reads end of file; reading goes on.
  void shutdown_write();

 private:
  int fd_ = -1;
};

// Connects sock to address; ConnectionRefusedError, TimeoutError, ... on
// failure (asyncio's loop.sock_connect).
Coro<void> sock_connect(Socket& sock, SocketAddress address);
// Waits for a connection on a listening socket: the new socket (non-blocking,
// close-on-exec) and the peer's address (asyncio's loop.sock_accept).
Coro<std::pair<Socket, SocketAddress>> sock_accept(Socket& sock);
// Up to max bytes, as soon as any arrive; "" at end of file (asyncio's
// loop.sock_recv).
Coro<std::string> sock_recv(Socket& sock, std::size_t max);
// The same into buf: how many bytes were read, 0 at end of file (asyncio's
// loop.sock_recv_into).
Coro<std::size_t> sock_recv_into(Socket& sock, std::span<char> buf);
// Sends all of data, waiting for room as often as needed (asyncio's
// loop.sock_sendall). data is not copied: it must outlive the await (a
// temporary in the co_await's own expression does). Cancelled midway, part
// of data may have been sent.
Coro<void> sock_sendall(Socket& sock, std::string_view data);

}  // namespace corio
