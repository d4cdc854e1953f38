#include "model/consolidation/drain_review.h"

#include <unordered_map>

#include "model/consolidation/eviction_eligibility.h"

namespace epc {

DrainReview review_drains(std::span<const Node> nodes, std::span<const Pod> pods,
                          int64_t hold_seconds, int64_t now_unix_seconds) {
  // Pods that keep each draining node busy: the count and the first by key, for the reason.
  struct Busy {
    size_t count = 0;
    std::string first;
  };
  std::unordered_map<std::string, Busy> busy;
  for (const Node& node : nodes) {
    if (node.draining_since) busy.emplace(node.name, Busy{});
  }
  for (const Pod& pod : pods) {
    if (!holds_resources(pod) || stays_with_node(pod) || pod.terminating) continue;
    const auto it = busy.find(pod.node_name);
    if (it == busy.end()) continue;
    ++it->second.count;
    if (it->second.first.empty() || pod.key() < it->second.first) it->second.first = pod.key();
  }
  DrainReview review;
  for (const Node& node : nodes) {
    if (!node.draining_since) continue;
    const Busy& holding = busy.at(node.name);
    const int64_t age = now_unix_seconds - *node.draining_since;
    if (holding.count > 0) {
      review.ended.push_back({node.name, false,
                              std::to_string(holding.count) +
                                  (holding.count == 1 ? " pod still keeps" : " pods still keep") +
                                  " it busy (" + holding.first + "), " + std::to_string(age) +
                                  "s after the drain began"});
    } else if (age >= hold_seconds) {
      review.ended.push_back(
          {node.name, true, "empty, " + std::to_string(age) + "s after the drain began"});
    } else {
      review.draining.push_back(node.name);
    }
  }
  return review;
}

}  // namespace epc
