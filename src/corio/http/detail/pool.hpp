// @chapter 13
// The client's connection pool: the idle keep-alive connections of every
// host, and the permits that keep at most max_connections open at once.
//
// A request first takes a permit (a Semaphore of max_connections, so
// requests beyond it wait in line, and pool-timeout out of it), then an
// idle connection to its host:port, or room for a new one: when the
// connections in use and the idle ones already make max_connections, the
// oldest idle one (of another host, since none is of its own) is closed.
// A Lease holds both; it gives the connection back with put_back(), and
// otherwise (an error, a cancellation, a response read to the close)
// closes the connection when it goes. Either way the permit returns.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include <corio/http/client.hpp>
#include <corio/net/socket.hpp>
#include <corio/sync/semaphore.hpp>
#include <corio/tasks/coro.hpp>

namespace corio::http::detail {

// One of the client's connections. Not named Connection: the server's
// protocol is detail::Connection, and two classes of one name in one
// namespace break the one-definition rule (a program with both a client and
// a server then runs one class's destructor on the other's objects).
struct PooledConnection {
  Socket socket;
  std::string key;      // "host:port"
  bool reused = false;  // has carried a whole exchange already
  // What recv fills: allocated on the connection's first exchange and
  // never zeroed (a 16 KiB std::string resize cleared it for every new
  // connection: a third of workload H's client instructions).
  std::unique_ptr<char[]> buffer;
};

class Lease;

class Pool {
 public:
  // ValueError when options.limits.max_connections is 0.
  explicit Pool(ClientOptions options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const ClientOptions& options() const { return options_; }
  // The newest idle connection to key that is still usable (one the
  // server closed, or that has unexpected bytes, is closed and skipped);
  // null when none.
  std::unique_ptr<PooledConnection> take_idle(const std::string& key);
  // Closes the oldest idle connections until one more would fit.
  void make_room();
  void count_opened() { ++opened_; }
  // Closes every idle connection; refuses further requests.
  void close();
  bool closed() const { return closed_; }

  std::size_t opened() const { return opened_; }
  std::size_t idle() const { return idle_.size(); }

 private:
  friend class Lease;
  friend Coro<Lease> lease(std::shared_ptr<Pool> pool);
  void give_back(std::unique_ptr<PooledConnection> connection);
  void release_permit() { permits_.release(); }

  ClientOptions options_;
  Semaphore permits_;
  std::size_t in_use_ = 0;                              // permits taken
  std::deque<std::unique_ptr<PooledConnection>> idle_;  // oldest first
  std::size_t opened_ = 0;
  bool closed_ = false;
};

// A permit of the pool and, once it has one, the connection it uses.
class Lease {
 public:
  Lease() = default;
  explicit Lease(std::shared_ptr<Pool> pool) : pool_(std::move(pool)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() { end(); }

  std::unique_ptr<PooledConnection> connection;
  // The connection goes back to the pool (or closes, past max_keepalive or
  // after aclose()), and the permit with it.
  void put_back();

 private:
  void end();
  std::shared_ptr<Pool> pool_;
};

// Waits for a permit of pool (no limit here: the caller bounds the wait by
// the pool timeout); the Lease holds it from then on.
Coro<Lease> lease(std::shared_ptr<Pool> pool);

}  // namespace corio::http::detail
