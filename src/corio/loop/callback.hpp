// @chapter 01
// A callback the loop will run later, and the Handle that lets its owner
// cancel it. asyncio's Handle wraps a function and its arguments; ours wraps
// any callable. The node is allocated once and shared by the loop (while it
// is queued) and the user (while a Handle exists), so it counts references.
#pragma once

#include <cstdint>
#include <utility>

namespace corio {

namespace detail {

class Callback {
 public:
  Callback() = default;
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;

  void run() {
    if (!cancelled_) invoke();
  }
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

  void retain() { ++refs_; }
  void release() {
    if (--refs_ == 0) delete this;
  }

 protected:
  virtual ~Callback() = default;
  virtual void invoke() = 0;

 private:
  std::uint32_t refs_ = 1;
  bool cancelled_ = false;
};

template <class F>
class CallbackFn final : public Callback {
 public:
  explicit CallbackFn(F f) : f_(std::move(f)) {}

 private:
  void invoke() override { f_(); }
  F f_;
};

}  // namespace detail

// What call_soon returns. Cancelling a handle whose callback already ran does
// nothing, as in asyncio.
class Handle {
 public:
  Handle() = default;
  explicit Handle(detail::Callback* cb) : cb_(cb) { cb_->retain(); }
  Handle(const Handle& other) : Handle() { *this = other; }
  Handle(Handle&& other) noexcept : cb_(std::exchange(other.cb_, nullptr)) {}
  Handle& operator=(Handle other) noexcept {
    std::swap(cb_, other.cb_);
    return *this;
  }
  ~Handle() {
    if (cb_) cb_->release();
  }

  void cancel() {
    if (cb_) cb_->cancel();
  }
  bool cancelled() const { return cb_ && cb_->cancelled(); }

 protected:
  detail::Callback* callback() const { return cb_; }

 private:
  detail::Callback* cb_ = nullptr;
};

}  // namespace corio
