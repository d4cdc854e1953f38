#include "scheduler/kube/backoff.h"

#include <algorithm>

namespace epc {

Backoff::Backoff(BackoffPolicy policy)
    : policy_(policy), current_(policy.initial), random_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  const auto base = current_;
  current_ = std::min(current_ * 2, policy_.max);
  std::uniform_real_distribution<double> factor(1.0 - policy_.jitter, 1.0 + policy_.jitter);
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(
      static_cast<double>(base.count()) * factor(random_)));
}

}  // namespace epc
