#include "scheduler/kube/event_recorder.h"

#include <unistd.h>

#include <atomic>
#include <climits>
#include <exception>
#include <optional>
#include <random>
#include <utility>

#include "scheduler/kube/pod_event.h"

namespace epc {

struct EventRecorder::Shared {
  std::atomic<uint64_t> posted{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> suppressed_per_pod{0};
  std::atomic<uint64_t> dropped_rate_limited{0};

  std::mutex mutex;  // guards the rest
  LogSink log;       // emptied when the recorder goes: its owner may free what it writes to
  std::function<Clock::time_point()> clock;
  Clock::duration log_interval;
  std::optional<Clock::time_point> last_logged;
  uint64_t unlogged = 0;

  // Counted once logged, so that whoever sees the count also sees the line.
  void failure(const std::string& message) {
    log_failure(message);
    ++failed;
  }

  void log_failure(const std::string& message) {
    std::lock_guard lock(mutex);
    if (!log) return;
    const Clock::time_point now = clock();
    if (last_logged && now - *last_logged < log_interval) {
      ++unlogged;
      return;
    }
    std::string line = "could not create " + message;
    if (unlogged > 0) {
      line += " (and " + std::to_string(unlogged) + " more Events since the last report)";
    }
    last_logged = now;
    unlogged = 0;
    log(line);
  }
};

namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
    return std::string(kEventComponent);
  }
  return name;
}

uint64_t random_seed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

std::chrono::system_clock::time_point when(const Decision& decision) {
  return decision.at == std::chrono::system_clock::time_point{} ? std::chrono::system_clock::now()
                                                                : decision.at;
}

}  // namespace

EventRecorder::EventRecorder(ApiClient& client, LogSink log, EventRecorderOptions options)
    : client_(client),
      reporting_instance_(options.reporting_instance.empty() ? host_name()
                                                             : options.reporting_instance),
      clock_(options.clock ? options.clock : [] { return Clock::now(); }),
      shared_(std::make_shared<Shared>()),
      next_unique_(random_seed()),
      recent_pods_(options.per_pod_interval, options.max_pods),
      bucket_(options.qps, options.burst, clock_()) {
  shared_->log = std::move(log);
  shared_->clock = clock_;
  shared_->log_interval = options.log_interval;
}

EventRecorder::~EventRecorder() {
  std::lock_guard lock(shared_->mutex);
  shared_->log = nullptr;
  shared_->clock = nullptr;
}

void EventRecorder::observe(const Decision& decision) {
  try {
    const std::optional<PodEvent> event = event_for(decision);
    if (!event) return;
    if (!admit(event->pod_namespace + "/" + event->pod_name + "/" + event->pod_uid)) return;
    std::string name = event_name(event->pod_name, next_unique_++);
    std::string json = event_json(*event, name, when(decision), reporting_instance_);
    post(event->pod_namespace, std::move(name), std::move(json));
  } catch (const std::exception& error) {
    // Allocation, or cpprestsdk refusing to start a request: the call that reported the
    // decision must not fail for it.
    shared_->failure(std::string("an Event: ") + error.what());
  }
}

void EventRecorder::record(const PodEvent& event) {
  try {
    {
      std::lock_guard lock(mutex_);
      if (!bucket_.try_take(clock_())) {
        ++shared_->dropped_rate_limited;
        return;
      }
    }
    std::string name = event_name(event.pod_name, next_unique_++);
    std::string json =
        event_json(event, name, std::chrono::system_clock::now(), reporting_instance_);
    post(event.pod_namespace, std::move(name), std::move(json));
  } catch (const std::exception& error) {
    shared_->failure(std::string("an Event: ") + error.what());
  }
}

bool EventRecorder::admit(const std::string& pod_key) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = clock_();
  if (recent_pods_.seen_within(pod_key, now)) {
    ++shared_->suppressed_per_pod;
    return false;
  }
  // A pod dropped here is not marked: its next rejection may still get the Event.
  if (!bucket_.try_take(now)) {
    ++shared_->dropped_rate_limited;
    return false;
  }
  recent_pods_.mark(pod_key, now);
  return true;
}

void EventRecorder::post(const std::string& event_namespace, std::string name, std::string json) {
  client_.create_event(event_namespace, std::move(name), std::move(json))
      .then([shared = shared_](pplx::task<Result<void>> created) {
        try {
          const Result<void> result = created.get();
          if (result) {
            ++shared->posted;
          } else {
            shared->failure(result.error().message);
          }
        } catch (const std::exception& error) {
          shared->failure(std::string("an Event: ") + error.what());
        }
      });
}

EventRecorderStats EventRecorder::stats() const {
  return {shared_->posted.load(), shared_->failed.load(), shared_->suppressed_per_pod.load(),
          shared_->dropped_rate_limited.load()};
}

}  // namespace epc
