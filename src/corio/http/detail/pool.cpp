// @chapter 13
#include <corio/http/detail/pool.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <utility>

#include <corio/errors.hpp>

namespace corio::http::detail {

namespace {

int permit_count(const PoolLimits& limits) {
  if (limits.max_connections == 0) {
    throw ValueError("http::Client: PoolLimits::max_connections must be at least 1 (it is 0)");
  }
  return limits.max_connections > INT_MAX ? INT_MAX : static_cast<int>(limits.max_connections);
}

// An idle connection is usable while reading it would block: the server
// has neither closed it (recv gives 0), reset it, nor sent bytes nobody
// asked for (httpcore's is_readable() check, made when it leaves the pool).
bool still_usable(const PooledConnection& c) {
  char byte;
  ssize_t n = ::recv(c.socket.fd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

Pool::Pool(ClientOptions options) : options_(std::move(options)), permits_(permit_count(options_.limits)) {}

std::unique_ptr<PooledConnection> Pool::take_idle(const std::string& key) {
  for (std::size_t i = idle_.size(); i-- > 0;) {
    if (idle_[i]->key != key) continue;
    std::unique_ptr<PooledConnection> c = std::move(idle_[i]);
    idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
    if (still_usable(*c)) return c;
  }
  return nullptr;
}

void Pool::make_room() {
  while (!idle_.empty() && in_use_ + idle_.size() > options_.limits.max_connections) idle_.pop_front();
}

void Pool::close() {
  closed_ = true;
  idle_.clear();
}

void Pool::give_back(std::unique_ptr<PooledConnection> connection) {
  if (closed_ || options_.limits.max_keepalive == 0) return;
  connection->reused = true;
  idle_.push_back(std::move(connection));
  while (idle_.size() > options_.limits.max_keepalive) idle_.pop_front();
}

Coro<Lease> lease(std::shared_ptr<Pool> pool) {
  co_await pool->permits_.acquire();
  ++pool->in_use_;
  co_return Lease(std::move(pool));
}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    end();
    connection = std::move(other.connection);
    pool_ = std::move(other.pool_);
  }
  return *this;
}

void Lease::put_back() {
  if (pool_ && connection) pool_->give_back(std::move(connection));
  end();
}

void Lease::end() {
  connection.reset();
  if (!pool_) return;
  --pool_->in_use_;
  pool_->release_permit();
  pool_.reset();
}

}  // namespace corio::http::detail
