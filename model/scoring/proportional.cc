#include "model/scoring/proportional.h"

#include <algorithm>
#include <limits>

#include "model/int128.h"

namespace epc {
namespace {
constexpr int64_t kMaxScore = 10;
}  // namespace

int64_t most_allocated_score(int64_t requested, int64_t capacity) {
  if (capacity <= 0) return 0;
  requested = std::clamp<int64_t>(requested, 0, capacity);
  return static_cast<int64_t>(static_cast<Int128>(requested) * kMaxScore / capacity);
}

int64_t least_allocated_score(int64_t requested, int64_t capacity) {
  if (capacity <= 0 || requested > capacity) return 0;
  requested = std::max<int64_t>(0, requested);
  return static_cast<int64_t>(static_cast<Int128>(capacity - requested) * kMaxScore / capacity);
}

int64_t requested_after(const EpcDemand& demand, const NodeRecord& node) {
  const Int128 sum = static_cast<Int128>(std::max<int64_t>(0, node.used_bytes())) + demand.bytes;
  return static_cast<int64_t>(std::min<Int128>(sum, std::numeric_limits<int64_t>::max()));
}

}  // namespace epc
