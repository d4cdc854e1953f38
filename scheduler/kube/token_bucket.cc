#include "scheduler/kube/token_bucket.h"

#include <algorithm>

namespace epc {

TokenBucket::TokenBucket(double per_second, double burst, Clock::time_point now)
    : per_second_(std::max(per_second, 0.0)),
      burst_(std::max(burst, 1.0)),
      tokens_(burst_),
      last_(now) {}

bool TokenBucket::try_take(Clock::time_point now) {
  if (now > last_) {
    const std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * per_second_);
    last_ = now;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace epc
