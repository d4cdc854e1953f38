#include "scheduler/kube/recent_keys.h"

#include <algorithm>

namespace epc {

RecentKeys::RecentKeys(Clock::duration interval, size_t capacity)
    : interval_(interval), capacity_(std::max<size_t>(capacity, 1)) {}

bool RecentKeys::seen_within(const std::string& key, Clock::time_point now) {
  forget_expired(now);
  return marked_.contains(key);
}

void RecentKeys::mark(const std::string& key, Clock::time_point now) {
  forget_expired(now);
  marked_[key] = now;
  order_.emplace_back(now, key);
  // Every key's latest mark is in order_, so bounding order_ bounds marked_ too.
  while (order_.size() > capacity_) forget_oldest();
}

void RecentKeys::forget_expired(Clock::time_point now) {
  while (!order_.empty() && now - order_.front().first >= interval_) forget_oldest();
}

void RecentKeys::forget_oldest() {
  const auto& [at, key] = order_.front();
  // A key marked again later keeps that later mark.
  if (auto found = marked_.find(key); found != marked_.end() && found->second == at) {
    marked_.erase(found);
  }
  order_.pop_front();
}

}  // namespace epc
