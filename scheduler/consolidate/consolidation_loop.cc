#include "scheduler/consolidate/consolidation_loop.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "model/consolidation/drain_taint.h"
#include "model/quantity.h"
#include "scheduler/consolidate/cluster_plan.h"
#include "scheduler/kube/cluster_lister.h"
#include "scheduler/kube/node_taint_writer.h"
#include "scheduler/kube/pod_event.h"
#include "scheduler/kube/pod_evictor.h"

namespace epc {
namespace {

constexpr std::string_view kReasonEvicted = "ConsolidationEviction";
constexpr std::string_view kReasonEvictionRefused = "ConsolidationEvictionRefused";
constexpr std::string_view kReasonDrain = "ConsolidationDrain";
constexpr std::string_view kReasonDrainEnded = "ConsolidationDrainEnded";
constexpr int64_t kHour = 3600;

// PlannedMove::pod is pod_identity: the UID, or "namespace/name" for a pod without one. The
// eviction's UID precondition makes sure a pod recreated under the same name is never evicted
// in its place.
std::string uid_of(const PlannedMove& move) {
  return move.pod.find('/') == std::string::npos ? move.pod : std::string();
}

// "node-a: 2 pods (ns/p1 to node-c, ns/p2 to node-d), frees 16Gi of EPC"
std::string describe(const DrainedNode& node) {
  std::string text = node.node + ": " + std::to_string(node.moves.size()) +
                     (node.moves.size() == 1 ? " pod (" : " pods (");
  for (size_t i = 0; i < node.moves.size(); ++i) {
    const PlannedMove& move = node.moves[i];
    text += (i > 0 ? ", " : "") + move.namespace_name + "/" + move.name + " to " + move.to;
  }
  return text + "), frees " + format_bytes(node.epc_capacity_bytes) + " of EPC";
}

PodEvent pod_event(const PlannedMove& move, std::string_view reason, std::string message,
                   std::string_view type) {
  PodEvent event{move.namespace_name, move.name, uid_of(move), std::string(reason),
                 truncate_message(std::move(message))};
  event.type = type;
  event.action = "Consolidation";
  return event;
}

// Events on cluster-scoped objects go to the "default" namespace, where `kubectl describe node`
// looks for them (as kubelet's node Events do).
PodEvent node_event(const std::string& node, std::string_view reason, std::string message,
                    std::string_view type) {
  PodEvent event{"default", node, "", std::string(reason), truncate_message(std::move(message))};
  event.object_kind = "Node";
  event.type = type;
  event.action = "Consolidation";
  return event;
}

}  // namespace

ConsolidationLoop::ConsolidationLoop(ApiClient& client, ConsolidationLoopOptions options)
    : client_(client), options_(std::move(options)), lease_(client, options_.lease) {}

ConsolidationLoop::~ConsolidationLoop() {
  stop();
}

int64_t ConsolidationLoop::now() const {
  if (options_.now_unix_seconds) return options_.now_unix_seconds();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ConsolidationLoop::sleep_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void ConsolidationLoop::update(const std::function<void(ConsolidationStatus&)>& change) {
  std::lock_guard lock(mutex_);
  change(status_);
}

ConsolidationStatus ConsolidationLoop::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void ConsolidationLoop::finish(RunResult result, const std::string& outcome) {
  update([&](ConsolidationStatus& status) {
    status.last_run_at = rfc3339(std::chrono::system_clock::now());
    status.last_outcome = outcome;
    switch (result) {
      case RunResult::kCompleted:
        ++status.runs_completed;
        break;
      case RunResult::kSkipped:
        ++status.runs_skipped;
        break;
      case RunResult::kFailed:
        ++status.runs_failed;
        break;
    }
  });
  const LogSink& log = result == RunResult::kFailed ? options_.warning : options_.info;
  if (log) log(outcome);
}

void ConsolidationLoop::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::jthread([this] {
    // The first run waits one interval: a replica that restarts over and over never evicts.
    int64_t next_run = now() + options_.config()->consolidation.interval_seconds;
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
      }
      const std::shared_ptr<const ScoringConfig> config = options_.config();
      if (!config->consolidation.enabled) {
        if (lease_.holds_now()) lease_.release();
        update([](ConsolidationStatus& status) {
          status.enabled = false;
          status.leader = false;
          status.role = "disabled";
        });
      } else if (now() >= next_run) {
        run_once();
        next_run = now() + config->consolidation.interval_seconds;
      } else {
        // Between runs the leader renews its lease, and a standby sees whether it is free.
        (void)renew_lease();  // the status says who holds it
      }
      if (!sleep_for(options_.tick)) break;
    }
    if (lease_.holds_now()) lease_.release();
  });
}

Result<LeaseHold> ConsolidationLoop::renew_lease() {
  Result<LeaseHold> hold = lease_.acquire_or_renew();
  update([&](ConsolidationStatus& status) {
    status.leader = hold && hold->held;
    status.role = !hold        ? "unknown: " + hold.error().message
                  : hold->held ? "leader"
                               : "standby: " + hold->holder + " holds the lease";
  });
  return hold;
}

void ConsolidationLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RunResult ConsolidationLoop::run_once() {
  try {
    const std::shared_ptr<const ScoringConfig> config = options_.config();
    const ConsolidationSettings& settings = config->consolidation;
    update([&](ConsolidationStatus& status) {
      status.enabled = settings.enabled;
      status.dry_run = settings.dry_run;
    });
    const auto skip = [&](const std::string& why) {
      finish(RunResult::kSkipped, why);
      return RunResult::kSkipped;
    };
    const auto fail = [&](const std::string& why) {
      finish(RunResult::kFailed, why + "; retrying next interval");
      return RunResult::kFailed;
    };
    if (!settings.enabled) return skip("disabled");

    const Result<LeaseHold> hold = renew_lease();
    if (!hold) return fail("reading the lease: " + hold.error().message);
    if (!hold->held) return skip("standby: " + hold->holder + " holds the lease");

    Result<ClusterObjects> objects = list_cluster(client_, config->resources);
    if (!objects) return fail(objects.error().message);
    std::vector<int64_t> recent;
    {
      std::lock_guard lock(mutex_);
      const int64_t hour_ago = now() - kHour;
      std::erase_if(eviction_times_, [&](int64_t at) { return at <= hour_ago; });
      recent = eviction_times_;
    }
    Result<ClusterPlan> planned = plan_cluster(*objects, *config, now(), recent);
    if (!planned) return fail(planned.error().message);
    update([&](ConsolidationStatus& status) { status.draining = planned->drains.draining; });

    // Drains that are over lose their taint first: whatever this run does, they are done.
    for (const EndedDrain& ended : planned->drains.ended) {
      if (settings.dry_run) continue;
      Result<TaintChange> removed =
          remove_node_taint(client_, ended.node, std::string(kDrainTaintKey),
                            std::string(kDrainTaintEffect))
              .get();
      if (!removed)
        return fail("ending the drain of " + ended.node + ": " + removed.error().message);
      update([](ConsolidationStatus& status) { ++status.drains_ended; });
      const std::string what = std::string(ended.emptied ? "drain done" : "drain unfinished") +
                               ": " + ended.reason + "; the drain taint is removed";
      if (options_.info) options_.info(ended.node + ": " + what);
      if (options_.events) {
        options_.events->record(
            node_event(ended.node, kReasonDrainEnded, what, ended.emptied ? "Normal" : "Warning"));
      }
    }
    if (planned->live_run_skipped) return skip(*planned->live_run_skipped);
    if (planned->plan.empty()) {
      update([](ConsolidationStatus& status) { status.last_plan.clear(); });
      finish(RunResult::kCompleted, "nothing to drain (" +
                                        std::to_string(planned->plan.kept.size()) +
                                        " busy confidential nodes considered)");
      return RunResult::kCompleted;
    }

    // Karpenter-style: wait, read again, keep what still holds.
    if (!sleep_for(options_.confirm_delay)) return skip("stopping");
    const Result<LeaseHold> still = renew_lease();
    if (!still) return fail("renewing the lease: " + still.error().message);
    if (!still->held) return skip("lost the lease to " + still->holder + " before acting");
    Result<ClusterObjects> fresh = list_cluster(client_, config->resources);
    if (!fresh) return fail(fresh.error().message);
    Result<ConsolidationPlan> confirmed =
        confirm_cluster_plan(planned->plan, *fresh, *config, now());
    if (!confirmed) return fail(confirmed.error().message);
    for (const KeptNode& dropped : confirmed->kept) {
      if (options_.info) {
        options_.info(dropped.node + " dropped from the plan: " +
                      (dropped.pod.empty() ? "" : dropped.pod + " ") + dropped.reason);
      }
    }
    std::vector<std::string> lines;
    for (const DrainedNode& node : confirmed->drained) lines.push_back(describe(node));
    update([&](ConsolidationStatus& status) {
      status.last_plan = lines;
      status.planned_evictions += confirmed->evictions;
    });
    const std::string summary = std::to_string(confirmed->drained.size()) + " node(s), " +
                                std::to_string(confirmed->evictions) + " eviction(s), " +
                                format_bytes(confirmed->freed_epc_bytes) + " of EPC";
    if (settings.dry_run) {
      for (const std::string& line : lines) {
        if (options_.info) options_.info("dry run: would drain " + line);
      }
      finish(RunResult::kCompleted, "dry run: would drain " + summary);
      return RunResult::kCompleted;
    }
    if (confirmed->empty()) {
      finish(RunResult::kCompleted, "nothing left to drain after the fresh read");
      return RunResult::kCompleted;
    }

    for (const DrainedNode& node : confirmed->drained) {
      Result<TaintChange> tainted =
          add_node_taint(client_, node.node,
                         {std::string(kDrainTaintKey), drain_taint_value(now()),
                          std::string(kDrainTaintEffect)})
              .get();
      if (!tainted) return fail("tainting " + node.node + ": " + tainted.error().message);
      update([](ConsolidationStatus& status) { ++status.drains_started; });
      if (options_.info) options_.info("draining " + describe(node));
      if (options_.events) {
        options_.events->record(
            node_event(node.node, kReasonDrain, "draining " + describe(node), "Normal"));
      }
      size_t evicted_here = 0;
      // A node none of whose pods left is untainted again before the run stops: the drain never
      // began, and the node should not keep new pods off until the next review.
      const auto stop_draining = [&](const std::string& why) {
        if (evicted_here == 0) {
          Result<TaintChange> removed =
              remove_node_taint(client_, node.node, std::string(kDrainTaintKey),
                                std::string(kDrainTaintEffect))
                  .get();
          if (removed) update([](ConsolidationStatus& status) { ++status.drains_ended; });
          if (!removed)
            return fail(why + "; removing the drain taint of " + node.node +
                        " failed too: " + removed.error().message);
        }
        return fail(why);
      };
      for (const PlannedMove& move : node.moves) {
        const std::string pod = move.namespace_name + "/" + move.name;
        if (!lease_.holds_now()) return stop_draining("the lease ran out before evicting " + pod);
        const EvictionResult result =
            evict_pod(client_, move.namespace_name, move.name, uid_of(move)).get();
        if (result.outcome == EvictionOutcome::kEvicted ||
            result.outcome == EvictionOutcome::kGone) {
          ++evicted_here;
          {
            std::lock_guard lock(mutex_);
            eviction_times_.push_back(now());
            ++status_.evictions;
          }
          const std::string what =
              (result.outcome == EvictionOutcome::kGone ? "was gone already; "
                                                        : "evicted to empty node ") +
              move.from + "; planned to land on " + move.to;
          if (options_.info) options_.info(pod + " " + what);
          if (options_.events && result.outcome == EvictionOutcome::kEvicted) {
            options_.events->record(
                pod_event(move, kReasonEvicted,
                          "Evicted to empty node " + move.from + "; planned to land on " + move.to,
                          "Normal"));
          }
          continue;
        }
        const bool refused = result.outcome == EvictionOutcome::kRefused;
        update([&](ConsolidationStatus& status) {
          ++(refused ? status.evictions_refused : status.evictions_failed);
        });
        const std::string why = "evicting " + pod + " from " + node.node +
                                (refused ? " refused (a PodDisruptionBudget allows no disruption "
                                           "now): "
                                         : " failed: ") +
                                result.message;
        if (options_.events) {
          options_.events->record(pod_event(move, kReasonEvictionRefused, why, "Warning"));
        }
        return stop_draining(why);
      }
    }
    finish(RunResult::kCompleted, "drained " + summary);
    return RunResult::kCompleted;
  } catch (const std::exception& error) {
    // pplx rethrows what a task threw; nothing the loop calls should, but a run must never take
    // the thread (and with it the process) down.
    finish(RunResult::kFailed, std::string("unexpected error: ") + error.what());
    return RunResult::kFailed;
  }
}

}  // namespace epc
