// InFlightRequests: what stopping the server has to wait for before, and after, it closes the
// listener.
//
// cpprestsdk 2.10.18's listener crashes when it is closed while another thread replies on one of
// its connections (reproduced with a bare listener: a reply racing close() on a connection still
// waiting for its body). So stop() first stops new replies, waits until no reply is being decided
// or delivered, and only then closes the listener; requests still waiting for their body are
// answered by the listener itself as it closes. Afterwards it waits for the remaining
// continuations, which still touch the ExtenderService and the log, to finish.
//
// Before all that, a graceful stop drains: requests that arrive once draining has begun are not
// admitted (the handler answers them 503 and closes their connection, so the client goes
// elsewhere), and the server waits, up to a deadline, for the admitted ones to be answered.
//
// The counts: every request holds a request ticket while any continuation of it can run, and an
// admitted one also counts as admitted for as long; a request holds a busy ticket from the moment
// it decides or replies until the reply is delivered, and none can be taken once stopping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>

namespace epc {

class InFlightRequests : public std::enable_shared_from_this<InFlightRequests> {
 public:
  // Move-only; gives its count back when destroyed.
  enum class Kind { kRequest, kAdmittedRequest, kBusy };

  class Ticket {
   public:
    Ticket(std::shared_ptr<InFlightRequests> owner, Kind kind)
        : owner_(std::move(owner)), kind_(kind) {}
    ~Ticket() {
      if (owner_) owner_->leave(kind_);
    }
    Ticket(Ticket&& other) noexcept : owner_(std::move(other.owner_)), kind_(other.kind_) {}
    Ticket& operator=(Ticket&&) = delete;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

    // False for a request that arrived while draining: answer it 503 and close its connection.
    bool admitted() const { return kind_ == Kind::kAdmittedRequest; }

   private:
    std::shared_ptr<InFlightRequests> owner_;
    Kind kind_;
  };

  Ticket enter() {
    std::lock_guard lock(mutex_);
    ++requests_;
    if (draining_) return Ticket(shared_from_this(), Kind::kRequest);
    ++admitted_;
    return Ticket(shared_from_this(), Kind::kAdmittedRequest);
  }

  // None once stopping: the caller must then neither decide nor reply.
  std::optional<Ticket> start_busy() {
    std::lock_guard lock(mutex_);
    if (stopping_) return std::nullopt;
    ++busy_;
    return Ticket(shared_from_this(), Kind::kBusy);
  }

  void start_draining() {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }

  void stop_accepting() {
    std::lock_guard lock(mutex_);
    draining_ = true;
    stopping_ = true;
  }

  bool stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  // Each: true when the count reached zero within `timeout`.
  bool wait_admitted_answered(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return admitted_ == 0; });
  }
  bool wait_not_busy(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return busy_ == 0; });
  }
  bool wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return requests_ == 0; });
  }

  size_t busy() const {
    std::lock_guard lock(mutex_);
    return busy_;
  }
  size_t requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t admitted() const {
    std::lock_guard lock(mutex_);
    return admitted_;
  }

 private:
  void leave(Kind kind) {
    std::lock_guard lock(mutex_);
    switch (kind) {
      case Kind::kAdmittedRequest:
        --admitted_;
        [[fallthrough]];
      case Kind::kRequest:
        --requests_;
        break;
      case Kind::kBusy:
        --busy_;
        break;
    }
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  size_t requests_ = 0;
  size_t admitted_ = 0;
  size_t busy_ = 0;
  bool draining_ = false;
  bool stopping_ = false;
};

}  // namespace epc
