// Reflector: keeps ClusterState in step with one Kubernetes resource (all nodes, or all pods of
// all namespaces) by the list/watch protocol, as client-go's Reflector does.
//
// It lists in pages, applies the complete list in one ClusterState::modify (readers never see half
// a list), then watches from the list's resourceVersion and applies each event as it arrives.
// Every change is idempotent in the ledger, so an event seen twice after a reconnect changes
// nothing. A watch that ends is resumed from the last resourceVersion seen (bookmarks included); a
// 410 Gone (the server forgot that version) means a fresh list; transport errors are retried with
// exponential backoff and jitter. The loop runs on its own thread, which is the only one that
// waits for the network; events are applied on cpprestsdk's threads as they are read.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "model/cluster_state.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/kube/backoff.h"
#include "scheduler/kube/resource_kind.h"
#include "scheduler/kube/watch_event.h"
#include "scheduler/log_sink.h"
#include "scheduler/wire/json_reader.h"

namespace epc {

struct ReflectorOptions {
  int page_size = 500;
  // The watch's timeoutSeconds: the server ends each watch after this long and the reflector
  // resumes it, which also bounds how long a silently dead connection can go unnoticed.
  std::chrono::seconds watch_timeout = std::chrono::minutes(5);
  BackoffPolicy backoff;
};

// A copy of a reflector's progress, for readiness and metrics.
struct ReflectorStatus {
  using Clock = std::chrono::steady_clock;

  bool synced = false;    // a complete list has been applied (stays true once it was)
  bool watching = false;  // a watch is open now
  std::optional<Clock::time_point> last_event;
  // Since when list/watch has kept failing; empty while it works.
  std::optional<Clock::time_point> failing_since;
  std::string last_error;
  std::string resource_version;
  uint64_t lists = 0;           // complete lists applied
  uint64_t relists = 0;         // lists after the first (410 Gone, expired continue)
  uint64_t watch_restarts = 0;  // watches opened after the first
  uint64_t events_applied = 0;
  uint64_t decode_errors = 0;  // objects or events that could not be read or applied
};

class Reflector {
 public:
  Reflector(ResourceKind kind, ApiClient& client, ClusterState& state, LogSink log,
            ReflectorOptions options = {});
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  ResourceKind kind() const { return kind_; }
  void start();
  // Cancels the request in flight and joins the thread; idempotent.
  void stop();
  ReflectorStatus status() const;

 private:
  enum class Outcome { Ok, Expired, Failed };
  struct ListResult {
    Outcome outcome = Outcome::Failed;
    std::string resource_version;
    std::string error;
  };
  struct ListedObjects;

  void run();
  ListResult list(bool paged);
  Result<void> fetch_pages(bool paged, ListedObjects& objects, ListResult& result);
  void apply_list(const ListedObjects& objects, uint64_t listed_since);
  Outcome watch(std::string& resource_version, std::string& error);
  Result<void> handle_line(std::string_view line, std::string& resource_version);
  void apply_event(const WatchEvent& event);

  void record_success();
  void record_failure(const std::string& error);
  // Waits for the next backoff delay; false when stopped meanwhile.
  bool wait_backoff();
  bool stopping() const { return stopping_.load(); }
  void log(const std::string& message) const;

  const ResourceKind kind_;
  ApiClient& client_;
  ClusterState& state_;
  const LogSink log_;
  const ReflectorOptions options_;
  Backoff backoff_;
  JsonParserPool parsers_{1};
  std::string line_buffer_;  // one watch line, padded for simdjson
  bool watch_expired_ = false;

  mutable std::mutex mutex_;  // guards status_ and wakes backoff waits
  std::condition_variable wake_;
  ReflectorStatus status_;

  std::atomic<bool> stopping_{false};
  pplx::cancellation_token_source cancel_;
  std::thread thread_;
};

}  // namespace epc
