#include "model/scoring/recent_demands.h"

#include <algorithm>

namespace epc {

void RecentDemands::record(std::string_view pod_id, int64_t bytes, size_t capacity) {
  if (bytes <= 0) return;
  std::lock_guard lock(mutex_);
  const auto same_pod = [&](const auto& entry) { return entry.first == pod_id; };
  if (const auto it = std::find_if(entries_.begin(), entries_.end(), same_pod);
      it != entries_.end()) {
    entries_.erase(it);
  }
  entries_.emplace_back(std::string(pod_id), bytes);
  while (entries_.size() > capacity) entries_.pop_front();
}

std::vector<int64_t> RecentDemands::sizes() const {
  std::lock_guard lock(mutex_);
  std::vector<int64_t> sizes;
  sizes.reserve(entries_.size());
  for (const auto& entry : entries_) sizes.push_back(entry.second);
  return sizes;
}

}  // namespace epc
