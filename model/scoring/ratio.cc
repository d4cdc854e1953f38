#include "model/scoring/ratio.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "model/int128.h"
#include "model/scoring/rank.h"

namespace epc {
namespace {

constexpr int64_t kMaxUtilization = 100;
constexpr int64_t kMaxShapeScore = 10;

Int128 used_after(const EpcDemand& demand, const NodeRecord& node) {
  return static_cast<Int128>(std::max<int64_t>(0, node.used_bytes())) + demand.bytes;
}

Int128 abs128(Int128 v) {
  return v < 0 ? -v : v;
}

Int128 gcd128(Int128 a, Int128 b) {
  a = abs128(a);
  b = abs128(b);
  while (b != 0) {
    const Int128 r = a % b;
    a = b;
    b = r;
  }
  return a;
}

// numerator / denominator (0 <= n <= d, d > 0) as an int64 Fraction: reduced, and for absurd
// byte counts (beyond 8 PiB) shifted until it fits, which only rounds the last bits.
Fraction fraction_of(Int128 numerator, Int128 denominator) {
  if (const Int128 g = gcd128(numerator, denominator); g > 1) {
    numerator /= g;
    denominator /= g;
  }
  constexpr Int128 kMax = std::numeric_limits<int64_t>::max();
  while (denominator > kMax) {
    numerator >>= 1;
    denominator >>= 1;
  }
  return Fraction{static_cast<int64_t>(numerator), static_cast<int64_t>(denominator)};
}

std::vector<int64_t> rank(const ScoringInput& input,
                          std::span<const NodeRecord* const> candidates) {
  const std::vector<ShapePoint>& shape = input.policy.effective_shape();
  return rank_candidates(candidates, [&](const NodeRecord& node) {
    return ratio_preference(input.demand, node, shape);
  });
}

int64_t proportional(const ScoringInput& input, const NodeRecord& node) {
  return ratio_score(input.demand, node, input.policy.effective_shape());
}

}  // namespace

int64_t shape_score(std::span<const ShapePoint> shape, int64_t utilization) {
  for (size_t i = 0; i < shape.size(); ++i) {
    if (utilization > shape[i].utilization) continue;
    if (i == 0) return shape[0].score;
    const ShapePoint& a = shape[i - 1];
    const ShapePoint& b = shape[i];
    return a.score +
           (b.score - a.score) * (utilization - a.utilization) / (b.utilization - a.utilization);
  }
  return shape.empty() ? 0 : shape.back().score;
}

int64_t requested_to_capacity_ratio(std::span<const ResourceRequest> resources,
                                    std::span<const ShapePoint> shape) {
  int64_t node_score = 0;
  int64_t weight_sum = 0;
  for (const ResourceRequest& resource : resources) {
    if (resource.capacity == 0) continue;
    const int64_t utilization = resource.requested > resource.capacity
                                    ? kMaxUtilization
                                    : static_cast<int64_t>(static_cast<Int128>(resource.requested) *
                                                           kMaxUtilization / resource.capacity);
    const int64_t score = shape_score(shape, utilization);
    if (score > 0) {
      node_score += score * resource.weight;
      weight_sum += resource.weight;
    }
  }
  if (weight_sum == 0) return 0;
  return std::llround(static_cast<double>(node_score) / static_cast<double>(weight_sum));
}

int64_t ratio_score(const EpcDemand& demand, const NodeRecord& node,
                    std::span<const ShapePoint> shape) {
  const Int128 used = used_after(demand, node);
  const int64_t requested =
      used > node.epc.bytes ? node.epc.bytes + 1 : static_cast<int64_t>(used);  // "above"
  const ResourceRequest epc{requested, node.epc.bytes, 1};
  return requested_to_capacity_ratio(std::span(&epc, 1), shape);
}

Fraction ratio_preference(const EpcDemand& demand, const NodeRecord& node,
                          std::span<const ShapePoint> shape) {
  const int64_t total = node.epc.bytes;
  if (shape.empty()) return Fraction{0, 1};
  // Percent utilization as the exact rational 100 × used / total, clamped to 100.
  Int128 used = used_after(demand, node);
  if (total <= 0 || used > total) used = total > 0 ? total : 1;
  const Int128 scaled_total = total > 0 ? total : 1;
  const auto at_or_below = [&](const ShapePoint& p) {
    return used * kMaxUtilization <= static_cast<Int128>(p.utilization) * scaled_total;
  };
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!at_or_below(shape[i])) continue;
    if (i == 0) return fraction_of(shape[0].score, kMaxShapeScore);
    const ShapePoint& a = shape[i - 1];
    const ShapePoint& b = shape[i];
    const Int128 span = static_cast<Int128>(b.utilization - a.utilization) * scaled_total;
    const Int128 value =
        static_cast<Int128>(a.score) * span +
        static_cast<Int128>(b.score - a.score) *
            (used * kMaxUtilization - static_cast<Int128>(a.utilization) * scaled_total);
    return fraction_of(value, span * kMaxShapeScore);
  }
  return fraction_of(shape.back().score, kMaxShapeScore);
}

constinit const ScoringStrategy kRatio{
    .name = "ratio",
    .rank_scores = &rank,
    .proportional_score = &proportional,
};

}  // namespace epc
