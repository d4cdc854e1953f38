// TokenBucket: at most `burst` actions at once and `per_second` on average after that, the rate
// limit client-go's event broadcaster and kube-scheduler's clients use.
//
// It takes the time as an argument rather than reading a clock, so tests step it; it is not
// thread-safe (its owner holds its own lock).
#pragma once

#include <chrono>

namespace epc {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full. A `burst` below 1 counts as 1; a `per_second` of 0 or less never refills.
  TokenBucket(double per_second, double burst, Clock::time_point now);

  // Takes a token if one has accrued by `now`.
  bool try_take(Clock::time_point now);

 private:
  double per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace epc
