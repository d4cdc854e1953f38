#include "scheduler/observability/stale_views.h"

#include <algorithm>
#include <iterator>

namespace epc {
namespace {

constexpr size_t kWaitsKept = 256;

}  // namespace

StaleViews::StaleViews(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

std::optional<std::chrono::duration<double>> StaleViews::observe(const Decision& decision) {
  if (decision.verb != Verb::kFilter) return std::nullopt;
  std::lock_guard lock(mutex_);
  switch (decision.recheck.outcome) {
    case RecheckOutcome::kNone:
      break;
    case RecheckOutcome::kReversed:
      ++counts_.reversed;
      break;
    case RecheckOutcome::kConfirmed:
      ++counts_.confirmed;
      break;
    case RecheckOutcome::kFailed:
      ++counts_.failed;
      break;
  }
  counts_.reads += decision.recheck.reads;
  counts_.read_failures += decision.recheck.failures;

  const std::string key = decision.pod_key();
  if (key.empty() || decision.epc_bytes <= 0) return std::nullopt;
  if (decision.outcome == Outcome::kUnschedulable) {
    if (auto it = turned_away_.find(key); it != turned_away_.end()) {
      it->second.at = decision.at;
      return std::nullopt;
    }
    order_.push_back(key);
    turned_away_.emplace(key, TurnedAway{decision.at, std::prev(order_.end())});
    if (turned_away_.size() > capacity_) {
      turned_away_.erase(order_.front());
      order_.pop_front();
    }
    return std::nullopt;
  }
  if (decision.outcome != Outcome::kSuccess) return std::nullopt;
  auto it = turned_away_.find(key);
  if (it == turned_away_.end()) return std::nullopt;
  const std::chrono::duration<double> waited =
      std::max(std::chrono::system_clock::duration::zero(), decision.at - it->second.at);
  order_.erase(it->second.in_order);
  turned_away_.erase(it);
  if (recent_waits_.size() < kWaitsKept) {
    recent_waits_.push_back(waited.count());
  } else {
    recent_waits_[next_wait_] = waited.count();
    next_wait_ = (next_wait_ + 1) % kWaitsKept;
  }
  ++counts_.waits;
  return waited;
}

StaleViewSummary StaleViews::summary() const {
  std::lock_guard lock(mutex_);
  StaleViewSummary summary = counts_;
  summary.turned_away = turned_away_.size();
  if (!recent_waits_.empty()) {
    std::vector<double> sorted = recent_waits_;
    std::sort(sorted.begin(), sorted.end());
    summary.wait_p50_seconds = sorted[(sorted.size() - 1) / 2];
    summary.wait_max_seconds = sorted.back();
  }
  return summary;
}

}  // namespace epc
