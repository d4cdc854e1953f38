#include "scheduler/http/connection_deadlines.h"

#include <algorithm>
#include <unordered_set>

namespace epc {
namespace {

// The kernel counts in jiffies (4 ms at HZ=250): a reply time that moved less than this between
// two samples is the same reply.
constexpr std::chrono::milliseconds kSameInstant{20};

}  // namespace

ConnectionDeadlines::Tracked ConnectionDeadlines::track(const ConnectionSample& sample,
                                                        Clock::time_point now) const {
  Tracked next;
  next.replied_at = now - sample.since_sent;
  next.quiet_since = now - std::min(sample.since_received, sample.since_sent);
  // Data arrived after the last reply: a request is arriving (or being decided). On a tie, a
  // request has arrived if data came in and none ever went out; otherwise the tie is the
  // handshake alone, or a reply in the same tick as its request.
  next.in_request =
      sample.since_received < sample.since_sent ||
      (sample.since_received == sample.since_sent && sample.received_any && !sample.sent_any);
  const auto known = tracked_.find(sample.id);
  if (known == tracked_.end()) {
    // New since the last scan and never answered: its first request began when it connected,
    // which is when the kernel last counted data sent. Dating it so (not "now") ranks a flood
    // of new connections by age when some must go over the limit.
    next.request_seen = next.replied_at;
  } else if (next.in_request && known->second.in_request &&
             next.replied_at - known->second.replied_at < kSameInstant) {
    // The same request as at the last scan: it started no later than it was first seen.
    next.request_seen = known->second.request_seen;
  } else {
    // A new request on a known connection began since the last scan: counting from now errs
    // towards letting it live one scan longer.
    next.request_seen = now;
  }
  return next;
}

std::vector<ConnectionToClose> ConnectionDeadlines::judge(const std::vector<ConnectionSample>& open,
                                                          Clock::time_point now) {
  std::unordered_map<uint64_t, Tracked> next;
  next.reserve(open.size());
  std::vector<ConnectionToClose> closing;
  for (const ConnectionSample& sample : open) {
    const Tracked tracked = track(sample, now);
    next[sample.id] = tracked;
    if (tracked.in_request && now - tracked.request_seen > limits_.read_timeout) {
      closing.push_back({sample.id, CloseReason::kReadTimeout});
    } else if (!tracked.in_request && now - tracked.quiet_since > limits_.idle_timeout) {
      closing.push_back({sample.id, CloseReason::kIdle});
    }
  }
  tracked_ = std::move(next);
  close_over_limit(closing);
  for (const ConnectionToClose& close : closing) tracked_.erase(close.id);
  return closing;
}

// Beyond the limit, the connections whose current request (or silence) is oldest go first: a
// client that keeps its connection busy with real requests is the last to lose it.
void ConnectionDeadlines::close_over_limit(std::vector<ConnectionToClose>& closing) const {
  if (limits_.max_connections == 0) return;
  const size_t staying = tracked_.size() - closing.size();
  if (staying <= limits_.max_connections) return;
  std::unordered_set<uint64_t> already;
  for (const ConnectionToClose& close : closing) already.insert(close.id);
  std::vector<std::pair<Clock::time_point, uint64_t>> by_age;
  for (const auto& [id, tracked] : tracked_) {
    if (already.contains(id)) continue;
    by_age.emplace_back(tracked.in_request ? tracked.request_seen : tracked.quiet_since, id);
  }
  const size_t excess = staying - limits_.max_connections;
  std::partial_sort(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(excess),
                    by_age.end());
  for (size_t i = 0; i < excess; ++i)
    closing.push_back({by_age[i].second, CloseReason::kOverLimit});
}

}  // namespace epc
