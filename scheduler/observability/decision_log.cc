#include "scheduler/observability/decision_log.h"

#include <utility>

namespace epc {
namespace {

DecisionEntry entry_of(const Decision& decision) {
  DecisionEntry entry;
  // Observers may leave the wall-clock time unset; the moment of recording is then close enough.
  entry.at = decision.at == std::chrono::system_clock::time_point{}
                 ? std::chrono::system_clock::now()
                 : decision.at;
  entry.verb = decision.verb;
  entry.outcome = decision.outcome;
  entry.pod = decision.pod_key();
  entry.node = decision.node;
  entry.epc_bytes = decision.epc_bytes;
  entry.duration = decision.duration;
  entry.reason = decision.message.empty() ? describe_rejections(decision) : decision.message;
  return entry;
}

}  // namespace

DecisionLog::DecisionLog(size_t capacity) : capacity_(capacity) {
  ring_.reserve(capacity);
}

void DecisionLog::record(const Decision& decision) {
  if (decision.verb == Verb::kPrioritize || capacity_ == 0) return;
  DecisionEntry entry = entry_of(decision);  // built outside the lock
  std::lock_guard lock(mutex_);
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(entry));
  } else {
    ring_[next_] = std::move(entry);
  }
  next_ = (next_ + 1) % capacity_;
}

std::vector<DecisionEntry> DecisionLog::recent() const {
  std::lock_guard lock(mutex_);
  std::vector<DecisionEntry> entries;
  entries.reserve(ring_.size());
  // next_ is one past the newest entry; walk backwards from it, wrapping.
  for (size_t i = 1; i <= ring_.size(); ++i) {
    entries.push_back(ring_[(next_ + ring_.size() - i) % ring_.size()]);
  }
  return entries;
}

}  // namespace epc
