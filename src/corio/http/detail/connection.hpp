// @chapter 13
// The server's machinery: its core (the listening socket, the router, the
// open connections) and one Connection per accepted socket, a transport
// protocol with one task that reads requests from its buffer, runs their
// handlers one at a time and writes each answer in one write.
#pragma once

#include <cstddef>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <corio/http/parser.hpp>
#include <corio/http/server.hpp>
#include <corio/loop/loop.hpp>
#include <corio/net/socket.hpp>
#include <corio/streams/transport.hpp>
#include <corio/sync/event.hpp>
#include <corio/tasks/future.hpp>
#include <corio/tasks/task.hpp>

namespace corio::http::detail {

class Connection;

struct HttpServerCore : std::enable_shared_from_this<HttpServerCore> {
  HttpServerCore(Loop& loop, Router router, ServerOptions options);

  void watch();  // accept while the listening socket is readable
  void accept_ready();
  void attach(Connection& c);
  void detach(Connection& c);  // the connection's transport is gone
  void close();
  // @since 14
  void close_clients();
  void abort_clients();
  // @end

  Loop* loop;
  Router router;
  ServerOptions options;
  Socket listener;
  TimerHandle retry;                     // accepting again after EMFILE
  std::vector<Connection*> connections;  // open; each knows its index
  std::size_t requests_served = 0;
  bool closed = false;
  Event all_closed;                     // closed, and no connection left
  std::optional<Future<void>> forever;  // serve_forever()'s
};

class Connection final : public Protocol, public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(std::shared_ptr<HttpServerCore> core);

  void connection_made(Transport& transport) override;
  void data_received(std::string_view data) override;
  bool eof_received() override;
  void connection_lost(std::exception_ptr error) override;
  void pause_writing() override { write_paused_ = true; }
  void resume_writing() override;

  // The server closes: an idle connection closes now, a busy one after its
  // answer.
  void server_closing();
  // @since 14
  // Cancels the connection's task: a handler running is cancelled at its
  // await, and the connection closes (Server::close_clients).
  void cancel() {
    if (task_) task_->cancel();
  }
  // The same, and the transport goes at once, unsent bytes dropped
  // (Server::abort_clients).
  void abort() {
    cancel();
    if (transport_ && !lost_) transport_->abort();
  }
  // @end

  std::size_t index = 0;  // in the core's list

 private:
  // Where the connection is: what its deadline means.
  enum class Phase { head, body, handling, idle };
  static constexpr double kNever = std::numeric_limits<double>::infinity();

  static Coro<void> serve(std::shared_ptr<Connection> self);
  void finish();  // the task's end, however it came: the timer goes, the transport closes, the task is let go
  Coro<void> run();
  void set_deadline(double when);
  void on_timer();
  void wake() { wake_.set(); }
  bool waiting_for_first_byte() const { return !parser_.started() && pos_ == in_.size(); }
  void write_response(Response& response, bool head, bool keep_alive, int request_version);
  void write_error(int status, std::string body);
  void reset();

  std::shared_ptr<HttpServerCore> core_;
  std::shared_ptr<Transport> transport_;
  std::optional<Task<void>> task_;
  Parser parser_;
  std::string in_;       // bytes received; those from pos_ on not yet parsed
  std::size_t pos_ = 0;  //
  std::string out_;      // the answer being written (its capacity reused)
  Event wake_;           // bytes, EOF, loss, a timeout, the server closing or writing resumed
  TimerHandle timer_;    // armed at armed_ (<= deadline_): moved lazily
  double deadline_ = kNever;
  double armed_ = kNever;
  Phase phase_ = Phase::head;
  bool eof_ = false;
  bool lost_ = false;
  bool timed_out_ = false;
  bool closing_ = false;  // the server closes
  bool write_paused_ = false;
  bool read_paused_ = false;
};

}  // namespace corio::http::detail
