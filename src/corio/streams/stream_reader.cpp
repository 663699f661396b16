// @chapter 12
#include <corio/streams/stream_reader.hpp>

#include <algorithm>
#include <optional>
#include <utility>

#include <corio/errors.hpp>
#include <corio/streams/transport.hpp>
#include <corio/tasks/detail/awaiter.hpp>

namespace corio {

namespace detail {

struct ReaderState;

// asyncio's _wait_for_data future, as an intrusive node in the waiting
// frame: a read that waits allocates nothing. The reader points at it from
// the moment it is made until its coroutine runs again (or its frame goes),
// so a second reader is refused meanwhile, as asyncio refuses one while
// _waiter is set.
class DataWaiter final : private WaitPoint {
 public:
  explicit DataWaiter(ReaderState& s);
  DataWaiter(const DataWaiter&) = delete;
  DataWaiter& operator=(const DataWaiter&) = delete;
  ~DataWaiter();

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { waker_ = park(h, this, "stream read"); }
  // CancelledError when the task was cancelled; the error set_exception()
  // gave while it waited; else nothing (data or EOF came).
  void await_resume();

  // Queues the coroutine (once): data, EOF or an error came.
  void wake(std::exception_ptr error) {
    if (woken_) return;
    woken_ = true;
    error_ = std::move(error);
    detail::wake(std::exchange(waker_, ReadyEntry()));
  }

 private:
  static CancelAnswer on_cancel(WaitPoint* self, const std::string& message);
  static constexpr WaitKind kKind{.cancel = &on_cancel, .what = "stream read"};

  ReaderState* s_;
  ReadyEntry waker_;  // resumes the waiting coroutine
  std::exception_ptr error_;
  bool woken_ = false;
};

// The buffer is buf[head..): reads move head on, and the bytes before it go
// when a feed finds them to be half the string or more, so taking small
// pieces off a large buffer never copies what remains each time.
struct ReaderState {
  explicit ReaderState(std::size_t lim) : limit(lim) {}

  std::size_t size() const { return buf.size() - head; }
  std::string_view view() const { return std::string_view(buf).substr(head); }
  void consume(std::size_t n) {
    head += n;
    if (head == buf.size()) {
      buf.clear();
      head = 0;
    }
  }
  std::string take(std::size_t n) {
    if (head == 0 && n == buf.size()) return std::exchange(buf, std::string());
    std::string out(buf, head, n);
    consume(n);
    return out;
  }
  // asyncio's _maybe_resume_transport.
  void maybe_resume() {
    if (paused && size() <= limit) {
      paused = false;
      transport->resume_reading();
    }
  }
  // Wakes the waiter, if one waits and was not woken yet; with error, its
  // wait throws it.
  void wake(std::exception_ptr error = nullptr);

  std::size_t limit;
  std::string buf;
  std::size_t head = 0;
  bool eof = false;
  bool paused = false;  // this reader paused the transport's reading
  std::exception_ptr error;
  DataWaiter* waiter = nullptr;  // the one coroutine waiting for data, until it runs again
  Transport* transport = nullptr;
};

DataWaiter::DataWaiter(ReaderState& s) : s_(&s) {
  kind = &kKind;
  s.waiter = this;
}

DataWaiter::~DataWaiter() {
  if (s_->waiter == this) s_->waiter = nullptr;
}

void DataWaiter::await_resume() {
  s_->waiter = nullptr;
  throw_if_cancelled();
  if (error_) std::rethrow_exception(error_);
}

// As a cancelled future would: a waiter not woken yet is woken to throw
// CancelledError; one woken already throws it when it runs.
CancelAnswer DataWaiter::on_cancel(WaitPoint* self, const std::string&) {
  auto* me = static_cast<DataWaiter*>(self);
  if (me->woken_) return CancelAnswer::TooLate;
  me->woken_ = true;
  detail::wake(std::exchange(me->waker_, ReadyEntry()));
  return CancelAnswer::LetGo;
}

void ReaderState::wake(std::exception_ptr error) {
  if (waiter != nullptr) waiter->wake(std::move(error));
}

namespace {

using State = std::shared_ptr<ReaderState>;

// asyncio's _wait_for_data: one waiter at a time; a transport this reader
// paused reads again, since someone wants more than the buffer holds.
DataWaiter wait_for_data(const State& s, const char* who) {
  if (s->waiter != nullptr) {
    throw RuntimeError(std::string(who) +
                       "() called while another coroutine is already waiting for incoming data (one "
                       "coroutine at a time may read a StreamReader)");
  }
  if (s->paused) {
    s->paused = false;
    s->transport->resume_reading();
  }
  return DataWaiter(*s);
}

void throw_if_failed(const State& s) {
  if (s->error) std::rethrow_exception(s->error);
}

Coro<std::string> read_some(State s, std::size_t n) {
  throw_if_failed(s);
  if (n == 0) co_return std::string();
  if (s->size() == 0 && !s->eof) co_await wait_for_data(s, "read");
  std::string out = s->take(std::min(n, s->size()));
  s->maybe_resume();
  co_return out;
}

// read(-1): everything up to EOF. asyncio reads it in blocks of limit
// bytes; taking each as it comes keeps the buffer (and so the transport's
// reading) below the limit the same way.
Coro<std::string> read_all(State s) {
  std::string out;
  for (;;) {
    throw_if_failed(s);
    if (out.empty()) {
      out = s->take(s->size());
    } else {
      out.append(s->view());
      s->consume(s->size());
    }
    s->maybe_resume();
    if (s->eof) co_return out;
    co_await wait_for_data(s, "read");
  }
}

Coro<std::string> readuntil(State s, std::string sep) {
  if (sep.empty()) throw ValueError("Separator should be at least one-byte string");
  throw_if_failed(s);
  const std::size_t seplen = sep.size();
  std::size_t offset = 0;
  std::size_t isep = std::string_view::npos;
  for (;;) {
    const std::size_t buflen = s->size();
    if (buflen >= seplen) {
      isep = s->view().find(sep, offset);
      if (isep != std::string_view::npos) break;
      // The separator may start in the last seplen - 1 bytes: search from
      // there next time.
      offset = buflen + 1 - seplen;
      if (offset > s->limit) {
        throw LimitOverrunError("Separator is not found, and chunk exceed the limit (the reader's limit is " +
                                    std::to_string(s->limit) + " bytes)",
                                offset);
      }
    }
    if (s->eof) throw IncompleteReadError(s->take(s->size()), IncompleteReadError::npos);
    co_await wait_for_data(s, "readuntil");
  }
  if (isep > s->limit) {
    throw LimitOverrunError("Separator is found, but chunk is longer than limit (the reader's limit is " +
                                std::to_string(s->limit) + " bytes)",
                            isep);
  }
  std::string out = s->take(isep + seplen);
  s->maybe_resume();
  co_return out;
}

Coro<std::string> readline(State s) {
  std::optional<LimitOverrunError> overrun;
  try {
    co_return co_await readuntil(s, "\n");
  } catch (IncompleteReadError& e) {
    co_return e.partial();
  } catch (LimitOverrunError& e) {
    overrun = e;
  }
  // The line is too long: drop it, with its "\n" if the buffer holds one
  // where the search stopped, else all that is buffered.
  if (s->view().substr(overrun->consumed()).starts_with('\n')) {
    s->consume(overrun->consumed() + 1);
  } else {
    s->consume(s->size());
  }
  s->maybe_resume();
  throw ValueError(overrun->what());
}

Coro<std::string> readexactly(State s, std::size_t n) {
  throw_if_failed(s);
  if (n == 0) co_return std::string();
  while (s->size() < n) {
    if (s->eof) throw IncompleteReadError(s->take(s->size()), n);
    co_await wait_for_data(s, "readexactly");
  }
  std::string out = s->take(n);
  s->maybe_resume();
  co_return out;
}

}  // namespace
}  // namespace detail

StreamReader::StreamReader(std::size_t limit) {
  if (limit == 0) throw ValueError("Limit cannot be <= 0 (StreamReader(limit))");
  s_ = std::make_shared<detail::ReaderState>(limit);
}

Coro<std::string> StreamReader::read(std::ptrdiff_t n) const {
  if (n < 0) return detail::read_all(s_);
  return detail::read_some(s_, static_cast<std::size_t>(n));
}

Coro<std::string> StreamReader::readline() const { return detail::readline(s_); }

Coro<std::string> StreamReader::readuntil(std::string sep) const { return detail::readuntil(s_, std::move(sep)); }

Coro<std::string> StreamReader::readexactly(std::size_t n) const { return detail::readexactly(s_, n); }

bool StreamReader::at_eof() const { return s_->eof && s_->size() == 0; }

void StreamReader::feed_data(std::string_view data) const {
  detail::ReaderState& s = *s_;
  if (s.eof) throw RuntimeError("feed_data after feed_eof (StreamReader::feed_data)");
  if (data.empty()) return;
  if (s.head > 0 && s.head >= s.buf.size() / 2) {
    s.buf.erase(0, s.head);
    s.head = 0;
  }
  s.buf.append(data);
  s.wake();
  if (s.transport != nullptr && !s.paused && s.size() > 2 * s.limit) {
    s.paused = true;
    s.transport->pause_reading();
  }
}

void StreamReader::feed_eof() const {
  s_->eof = true;
  s_->wake();
}

void StreamReader::set_exception(std::exception_ptr error) const {
  s_->error = error;
  s_->wake(error);
}

std::exception_ptr StreamReader::exception() const { return s_->error; }

std::size_t StreamReader::limit() const { return s_->limit; }

std::size_t StreamReader::buffered() const { return s_->size(); }

void StreamReader::set_transport(Transport* transport) const {
  s_->transport = transport;
  if (transport == nullptr) s_->paused = false;
}

}  // namespace corio
