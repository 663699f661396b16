// @chapter 12
// asyncio's StreamReaderProtocol (with FlowControlMixin): the protocol
// between a transport and a StreamReader/StreamWriter pair. It feeds the
// reader, keeps the writers' drain() waiting while the transport is paused,
// and starts start_server's handler as a task for each connection.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <corio/streams/server.hpp>
#include <corio/streams/stream_reader.hpp>
#include <corio/streams/transport.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/future.hpp>

namespace corio::detail {

class StreamProtocol final : public Protocol {
 public:
  StreamProtocol(std::optional<StreamReader> reader, std::shared_ptr<const ClientConnected> handler)
      : reader_(std::move(reader)), handler_(std::move(handler)) {}

  void connection_made(Transport& transport) override;
  void data_received(std::string_view data) override {
    if (reader_) reader_->feed_data(data);
  }
  bool eof_received() override;
  void connection_lost(std::exception_ptr error) override;
  void pause_writing() override { paused_ = true; }
  void resume_writing() override;

  // asyncio's _drain_helper and _get_close_waiter.
  static Coro<void> drain(std::shared_ptr<StreamProtocol> self);
  // Whether drain() would throw or wait: lost, or paused.
  bool drain_has_work() const { return connection_lost_ || paused_; }
  static Coro<void> wait_closed(std::shared_ptr<StreamProtocol> self);

 private:
  std::optional<StreamReader> reader_;
  std::shared_ptr<const ClientConnected> handler_;  // start_server's, shared by its connections
  std::vector<Future<void>> drain_waiters_;
  std::vector<Future<void>> close_waiters_;
  std::exception_ptr close_error_;
  bool connection_lost_ = false;
  bool paused_ = false;
};

}  // namespace corio::detail
