// @chapter 12
#include <corio/streams/stream_writer.hpp>

#include <algorithm>
#include <utility>

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>
#include <corio/net/address.hpp>
#include <corio/streams/detail/stream_protocol.hpp>
#include <corio/tasks/sleep.hpp>
#include <corio/tasks/task.hpp>

namespace corio {

namespace detail {

// What the copies of one StreamWriter share; the last copy to go closes the
// transport (asyncio's transport closes when it is garbage-collected).
struct WriterCore {
  WriterCore(std::shared_ptr<Transport> t, std::shared_ptr<StreamProtocol> p, std::optional<StreamReader> r)
      : transport(std::move(t)), protocol(std::move(p)), reader(std::move(r)) {}
  WriterCore(const WriterCore&) = delete;
  WriterCore& operator=(const WriterCore&) = delete;
  ~WriterCore() {
    if (!transport->is_closing()) transport->close();
  }
  std::shared_ptr<Transport> transport;
  std::shared_ptr<StreamProtocol> protocol;
  std::optional<StreamReader> reader;
};

namespace {

// Wakes every waiter of a list (with error, when there is one), emptying it.
void wake_all(std::vector<Future<void>>& waiters, const std::exception_ptr& error) {
  for (Future<void>& w : std::exchange(waiters, {})) {
    if (w.done()) continue;
    if (error) {
      w.set_exception(error);
    } else {
      w.set_result();
    }
  }
}

// Waits on a new future in the list; it leaves the list however it ends.
Coro<void> wait_in(std::vector<Future<void>>& waiters) {
  Future<void> waiter;
  waiters.push_back(waiter);
  auto leave = [&] { std::erase_if(waiters, [&](const Future<void>& w) { return w.state() == waiter.state(); }); };
  try {
    co_await waiter;
  } catch (...) {
    leave();
    throw;
  }
  leave();
}

Coro<void> drain(std::shared_ptr<WriterCore> s) {
  if (s->reader) {
    if (std::exception_ptr error = s->reader->exception()) std::rethrow_exception(error);
  }
  // A closing transport's connection_lost may be queued: let it run, so
  // that drain() sees the connection gone.
  if (s->transport->is_closing()) co_await sleep(0);
  // Neither lost nor paused, the protocol's drain would return at once: no
  // frame is made for it (the writer of a round trip never waits here).
  if (s->protocol->drain_has_work()) co_await StreamProtocol::drain(s->protocol);
}

}  // namespace

void StreamProtocol::connection_made(Transport& transport) {
  if (reader_) reader_->set_transport(&transport);
  if (!handler_) return;
  std::shared_ptr<Transport> t = transport.shared_from_this();
  StreamWriter writer(t, std::static_pointer_cast<StreamProtocol>(transport.get_protocol()), reader_);
  std::shared_ptr<const ClientConnected> handler = std::move(handler_);
  Task<void> task;
  try {
    task = create_task((*handler)(*reader_, std::move(writer)));
  } catch (...) {
    ExceptionContext context("Unhandled exception in client_connected_cb", std::current_exception());
    transport.get_loop().call_exception_handler(context);
    transport.close();
    return;
  }
  // The callback holds the handler too: a lambda's captures live in the
  // lambda, not in the coroutine it made, and must outlive the coroutine
  // even when the server and its factory are gone first.
  task.add_done_callback([t, handler](const Task<void>& done) {
    if (done.cancelled()) return;
    if (std::exception_ptr error = done.exception()) {
      ExceptionContext context("Unhandled exception in client_connected_cb", error);
      t->get_loop().call_exception_handler(context);
      t->close();
    }
  });
}

bool StreamProtocol::eof_received() {
  if (reader_) reader_->feed_eof();
  return true;  // keep the transport open: the handler may still write (half-close)
}

void StreamProtocol::connection_lost(std::exception_ptr error) {
  if (reader_) {
    if (error) {
      reader_->set_exception(error);
    } else {
      reader_->feed_eof();
    }
    reader_->set_transport(nullptr);
  }
  close_error_ = error;
  connection_lost_ = true;
  wake_all(close_waiters_, error);
  if (paused_) wake_all(drain_waiters_, error);
}

void StreamProtocol::resume_writing() {
  paused_ = false;
  wake_all(drain_waiters_, nullptr);
}

Coro<void> StreamProtocol::drain(std::shared_ptr<StreamProtocol> self) {
  if (self->connection_lost_) throw ConnectionResetError("Connection lost");
  if (!self->paused_) co_return;
  co_await wait_in(self->drain_waiters_);
}

Coro<void> StreamProtocol::wait_closed(std::shared_ptr<StreamProtocol> self) {
  if (!self->connection_lost_) co_await wait_in(self->close_waiters_);
  if (self->close_error_) std::rethrow_exception(self->close_error_);
}

}  // namespace detail

StreamWriter::StreamWriter(std::shared_ptr<Transport> transport, std::shared_ptr<detail::StreamProtocol> protocol,
                           std::optional<StreamReader> reader)
    : s_(std::make_shared<detail::WriterCore>(std::move(transport), std::move(protocol), std::move(reader))) {}

void StreamWriter::write(std::string_view data) const { s_->transport->write(data); }
void StreamWriter::writelines(std::initializer_list<std::string_view> lines) const { s_->transport->writelines(lines); }
Coro<void> StreamWriter::drain() const { return detail::drain(s_); }
bool StreamWriter::can_write_eof() const { return s_->transport->can_write_eof(); }
void StreamWriter::write_eof() const { s_->transport->write_eof(); }
void StreamWriter::close() const { s_->transport->close(); }
bool StreamWriter::is_closing() const { return s_->transport->is_closing(); }
Coro<void> StreamWriter::wait_closed() const { return detail::StreamProtocol::wait_closed(s_->protocol); }
std::optional<SocketAddress> StreamWriter::get_extra_info(std::string_view name) const {
  return s_->transport->get_extra_info(name);
}
Transport& StreamWriter::transport() const { return *s_->transport; }

}  // namespace corio
