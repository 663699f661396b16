// @chapter 13
#include <corio/http/detail/connection.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

#include <corio/errors.hpp>
#include <corio/http/detail/serialize.hpp>
#include <corio/http/message.hpp>

namespace corio::http::detail {

namespace {

// Unparsed bytes past this (a client pipelining faster than it reads its
// answers) pause reading until the task catches up.
constexpr std::size_t kMaxUnparsed = 256 * 1024;
// An idle connection keeps no larger buffer than this.
constexpr std::size_t kKeepCapacity = 4096;
// A chunked answer's body goes in chunks of this size.
constexpr std::size_t kChunk = 1024;

bool has_token(const std::optional<std::string>& value, std::string_view token) {
  if (!value) return false;
  std::string v = *value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v.find(token) != std::string::npos;
}

// The body in chunks of kChunk bytes, and the last chunk.
void append_chunks(std::string& out, std::string_view body) {
  char size[24];
  for (std::size_t at = 0; at < body.size(); at += kChunk) {
    std::string_view piece = body.substr(at, kChunk);
    int n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    out.append(size, static_cast<std::size_t>(n));
    out.append(piece);
    out.append("\r\n");
  }
  out.append("0\r\n\r\n");
}

}  // namespace

Connection::Connection(std::shared_ptr<HttpServerCore> core)
    : core_(std::move(core)), parser_(Parser::Kind::request, core_->options.limits) {}

void Connection::connection_made(Transport& transport) {
  transport_ = transport.shared_from_this();
  if (core_->options.header_timeout > 0) set_deadline(core_->loop->time() + core_->options.header_timeout);
  task_ = create_task(serve(shared_from_this()), "http connection");
  // A task cancelled before its first step never runs its body (a
  // close_clients() just after the accept): its end closes the connection
  // all the same. After a body that ran, finish() has nothing left to do.
  task_->add_done_callback([weak = weak_from_this()](const Task<void>&) {
    if (auto self = weak.lock()) self->finish();
  });
}

void Connection::data_received(std::string_view data) {
  if (in_.size() == pos_) {
    in_.clear();
    pos_ = 0;
  }
  in_.append(data);
  if (phase_ == Phase::idle) {
    // A request's first byte: its head has header_timeout from now.
    phase_ = Phase::head;
    set_deadline(core_->options.header_timeout > 0 ? core_->loop->time() + core_->options.header_timeout : kNever);
  } else if (phase_ == Phase::body && core_->options.idle_timeout > 0) {
    set_deadline(core_->loop->time() + core_->options.idle_timeout);
  }
  if (in_.size() - pos_ > kMaxUnparsed && !read_paused_) {
    read_paused_ = true;
    transport_->pause_reading();
  }
  wake();
}

bool Connection::eof_received() {
  eof_ = true;
  // HTTP/1.1 clients do not half-close: the client is gone, and so is the
  // answer to a request still in a handler (cancelled at its await).
  if (phase_ == Phase::handling && task_) task_->cancel();
  wake();
  return true;  // the task closes, once it has done what it was doing
}

void Connection::connection_lost(std::exception_ptr) {
  lost_ = true;
  if (phase_ == Phase::handling && task_) task_->cancel();
  core_->detach(*this);
  transport_.reset();  // it holds us no more either
  wake();
}

void Connection::resume_writing() {
  write_paused_ = false;
  wake();
}

void Connection::server_closing() {
  closing_ = true;
  if (phase_ != Phase::handling && waiting_for_first_byte()) wake();
}

void Connection::set_deadline(double when) {
  deadline_ = when;
  if (when >= armed_) return;  // the armed timer fires first and moves on
  if (armed_ != kNever) timer_.cancel();
  armed_ = when;
  timer_ = core_->loop->call_at(when, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->on_timer();
  });
}

void Connection::on_timer() {
  armed_ = kNever;
  if (deadline_ == kNever || lost_) return;
  // The clock in nanoseconds, the deadline in seconds: a nanosecond's slack.
  if (core_->loop->time() + 1e-9 < deadline_) {
    set_deadline(deadline_);
    return;
  }
  timed_out_ = true;
  wake();
}

Coro<void> Connection::serve(std::shared_ptr<Connection> self) {
  try {
    co_await self->run();
  } catch (const CancelledError&) {
    // The client left while a handler ran (or the loop is ending).
  } catch (...) {
    // Not a handler's error (run() answers those with a 500): reported, and
    // the connection closes rather than stay open with no task behind it.
    ExceptionContext context("Unhandled exception in an HTTP connection (corio::http::Server closes it)",
                             std::current_exception());
    self->core_->loop->call_exception_handler(context);
  }
  self->finish();
}

// The transport stays until its connection_lost: abort_clients() may still
// have to cut a close that waits to flush to a client reading nothing.
void Connection::finish() {
  timer_.cancel();
  deadline_ = armed_ = kNever;
  if (transport_ && !lost_) transport_->close();
  task_.reset();
}

Coro<void> Connection::run() {
  const ServerOptions& options = core_->options;
  for (;;) {
    // A whole request, from what is buffered or what comes.
    try {
      while (!parser_.done()) {
        if (pos_ < in_.size()) {
          pos_ += parser_.feed(std::string_view(in_).substr(pos_));
          if (phase_ == Phase::head && parser_.head_done()) {
            phase_ = Phase::body;
            // A body still to come gets idle_timeout between its bytes; a
            // whole request needs no deadline (nor a clock read): it is
            // handled next.
            if (!parser_.done()) {
              set_deadline(options.idle_timeout > 0 ? core_->loop->time() + options.idle_timeout : kNever);
            }
          }
          continue;
        }
        in_.clear();
        pos_ = 0;
        if (in_.capacity() > kKeepCapacity) std::string().swap(in_);
        if (lost_) co_return;
        if (eof_) {
          // A request cut short by the client's end: nobody reads an answer.
          co_return;
        }
        if (timed_out_) {
          if (phase_ == Phase::head) {
            write_error(408, "Request Timeout: no whole request head within " + std::to_string(options.header_timeout) +
                                 " s (ServerOptions::header_timeout)\n");
          }
          co_return;
        }
        if (closing_ && !parser_.started()) co_return;
        if (read_paused_) {
          read_paused_ = false;
          transport_->resume_reading();
        }
        wake_.clear();
        co_await wake_.wait();
      }
    } catch (const HttpParseError& e) {
      if (!lost_) write_error(e.status(), std::string(reason_phrase(e.status())) + ": " + e.what() + "\n");
      co_return;
    }

    phase_ = Phase::handling;
    deadline_ = kNever;
    Request request = parser_.take_request();
    bool head = request.method == "HEAD";
    int version = request.version;
    bool keep_alive = request.keep_alive();
    Response response;
    bool failed = false;
    try {
      response = co_await core_->router.dispatch(std::move(request));
    } catch (const AbortConnection&) {
      reset();
      co_return;
    } catch (const CancelledError&) {
      throw;
    } catch (...) {  // a std::exception or not (`throw 42`): the client gets its 500 all the same
      failed = true;
      ExceptionContext context("Unhandled exception in an HTTP handler (corio::http::Server answers 500)",
                               std::current_exception());
      core_->loop->call_exception_handler(context);
    }
    if (lost_) co_return;
    if (failed) response = Response::text(500, "Internal Server Error: the handler failed\n");
    keep_alive = keep_alive && !closing_ && !eof_;
    write_response(response, head, keep_alive, version);
    ++core_->requests_served;
    if (!keep_alive) co_return;

    while (write_paused_ && !lost_) {
      wake_.clear();
      co_await wake_.wait();
    }
    // A transport closing (its peer reset it while we wrote) drops the
    // pipelined requests still buffered: nobody reads their answers.
    if (lost_ || transport_->is_closing()) co_return;
    if (pos_ < in_.size()) {
      // A pipelined request is here already.
      phase_ = Phase::head;
      set_deadline(options.header_timeout > 0 ? core_->loop->time() + options.header_timeout : kNever);
    } else {
      phase_ = Phase::idle;
      set_deadline(options.idle_timeout > 0 ? core_->loop->time() + options.idle_timeout : kNever);
    }
    timed_out_ = false;
  }
}

void Connection::write_response(Response& response, bool head, bool keep_alive, int request_version) {
  response.version = 11;
  if (!keep_alive) {
    response.headers.set("Connection", "close");
  } else if (request_version == 10) {
    response.headers.set("Connection", "keep-alive");
  }
  bool no_body = head || response.status < 200 || response.status == 204 || response.status == 304;
  try {
    if (no_body || !has_token(response.headers.get("Transfer-Encoding"), "chunked")) {
      serialize_into(out_, response, head);
    } else {
      // The head, then the body in chunks of 1 KiB and the last chunk: one write.
      serialize_into(out_, response, true);
      append_chunks(out_, response.body);
    }
  } catch (const InvalidArgument&) {
    // The handler's answer cannot go on the wire (a header value holding CR
    // or LF, say from a request's query): reported, a 500 goes instead, and
    // the connection closes after it (run() sees the transport closing).
    ExceptionContext context("An HTTP handler's response could not be serialized (corio::http::Server answers 500)",
                             std::current_exception());
    core_->loop->call_exception_handler(context);
    out_.clear();
    Response failed = Response::text(500, "Internal Server Error: the handler's response could not be serialized\n");
    failed.headers.set("Connection", "close");
    serialize_into(out_, failed, head);
    transport_->write(out_);
    out_.clear();
    transport_->close();
    return;
  }
  transport_->write(out_);
  out_.clear();
  if (out_.capacity() > kKeepCapacity) std::string().swap(out_);
}
void Connection::write_error(int status, std::string body) {
  Response response = Response::text(status, std::move(body));
  write_response(response, false, false, 11);
}

void Connection::reset() {
  if (lost_) return;
  // SO_LINGER with a zero timeout: close() sends RST and drops what is unsent.
  linger l{1, 0};
  ::setsockopt(transport_->fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  transport_->abort();
}

}  // namespace corio::http::detail
