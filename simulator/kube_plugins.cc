#include "simulator/kube_plugins.h"

#include <cmath>

namespace epc {

int64_t least_requested_score(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

int64_t most_requested_score(int64_t requested, int64_t capacity) {
  if (capacity == 0) return 0;
  // Pods without requests count with defaults, so requested may exceed capacity.
  if (requested > capacity) requested = capacity;
  return requested * kMaxNodeScore / capacity;
}

namespace {

template <class Scorer>
int64_t weighted_mean(std::span<const ResourceUse> resources, Scorer scorer) {
  int64_t score = 0;
  int64_t weights = 0;
  for (const ResourceUse& use : resources) {
    if (use.allocatable == 0) continue;
    score += scorer(use.requested, use.allocatable) * use.weight;
    weights += use.weight;
  }
  return weights == 0 ? 0 : score / weights;
}

}  // namespace

int64_t least_allocated(std::span<const ResourceUse> resources) {
  return weighted_mean(resources, least_requested_score);
}

int64_t most_allocated(std::span<const ResourceUse> resources) {
  return weighted_mean(resources, most_requested_score);
}

int64_t balanced_allocation(std::span<const ResourceUse> resources) {
  // Two passes over the resources instead of a vector of fractions: this runs for every node of
  // every decision.
  const auto fraction = [](const ResourceUse& use) {
    const double value = static_cast<double>(use.requested) / static_cast<double>(use.allocatable);
    return value > 1 ? 1.0 : value;
  };
  size_t count = 0;
  double sum = 0;
  double first = 0, second = 0;
  for (const ResourceUse& use : resources) {
    if (use.allocatable == 0) continue;
    const double f = fraction(use);
    (count == 0 ? first : second) = f;
    sum += f;
    ++count;
  }
  double deviation = 0;
  if (count == 2) {
    deviation = std::abs((first - second) / 2);
  } else if (count > 2) {
    const double mean = sum / static_cast<double>(count);
    double variance = 0;
    for (const ResourceUse& use : resources) {
      if (use.allocatable == 0) continue;
      variance += (fraction(use) - mean) * (fraction(use) - mean);
    }
    deviation = std::sqrt(variance / static_cast<double>(count));
  }
  return static_cast<int64_t>((1 - deviation) * static_cast<double>(kMaxNodeScore));
}

}  // namespace epc
