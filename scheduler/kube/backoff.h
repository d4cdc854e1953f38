// Backoff: exponential retry delays with jitter, as client-go's reflector uses between failed
// list or watch attempts, so that many extenders restarting together do not hammer the API server
// in lockstep.
#pragma once

#include <chrono>
#include <random>

namespace epc {

struct BackoffPolicy {
  std::chrono::milliseconds initial = std::chrono::milliseconds(200);
  std::chrono::milliseconds max = std::chrono::seconds(30);
  double jitter = 0.2;  // each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy);

  // The delay before the next attempt; doubles (up to the maximum) with every call.
  std::chrono::milliseconds next();
  // After a success: the next failure waits the initial delay again.
  void reset() { current_ = policy_.initial; }

 private:
  BackoffPolicy policy_;
  std::chrono::milliseconds current_;
  std::mt19937 random_;
};

}  // namespace epc
