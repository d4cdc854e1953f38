// RecentDemands: a small, bounded, thread-safe history of the EPC sizes of recent pods, which the
// bestfit strategy judges leftover EPC against.
//
// One entry per pod (a pod asked about again replaces its entry rather than weighing twice), the
// oldest dropped beyond the capacity. Requests on many threads record and read it; a mutex is fine
// here because the critical sections are a few dozen integers long.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace epc {

class RecentDemands {
 public:
  // Remembers `bytes` for `pod_id`, keeping at most `capacity` pods (the config's bestfit history
  // may change on reload, so it is passed each time). Zero bytes are not recorded.
  void record(std::string_view pod_id, int64_t bytes, size_t capacity);
  // The remembered sizes, oldest first.
  std::vector<int64_t> sizes() const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::pair<std::string, int64_t>> entries_;  // oldest first
};

}  // namespace epc
