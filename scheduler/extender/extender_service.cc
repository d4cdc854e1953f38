#include "scheduler/extender/extender_service.h"

#include <future>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "model/epc_demand.h"
#include "model/fit.h"
#include "model/node_record.h"
#include "model/pod_policy.h"
#include "model/scoring/node_scorer.h"
#include "scheduler/wire/extender_args.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

// How often a verb waiting for the first lists looks again (see ExtenderServiceOptions).
constexpr std::chrono::milliseconds kStartupPoll{20};

Reply bad_request(const Error& error) {
  return {400, encode_error(error.message)};
}

std::string demand_error(const Pod& pod, const Error& error) {
  return "pod " + pod.key() + ": " + error.message;
}

// The nodes one filter or prioritize request asks about, as the model sees them. In Nodes mode the
// capacity comes from the request's Node objects (what kube-scheduler sees now) and the committed
// EPC from the cluster state; in NodeNames mode both come from the cluster state, and a name it
// does not know has a null record. Moving a Candidates keeps `records` valid (the vector's buffer
// moves with it); copying would not, hence move-only.
struct Candidates {
  Candidates() = default;
  Candidates(Candidates&&) = default;
  Candidates& operator=(Candidates&&) = default;
  Candidates(const Candidates&) = delete;
  Candidates& operator=(const Candidates&) = delete;

  std::vector<std::string_view> names;
  std::vector<const NodeRecord*> records;
  std::vector<NodeRecord> from_request;  // Nodes mode: what `records` points to
};

std::string identity_of(const Pod& pod) {
  return pod_identity(pod.uid, pod.namespace_name, pod.name);
}

// Every candidate is seen as the pod being placed sees it: without its own reservation.
Candidates candidates_of(const ExtenderArgs& args, const ClusterSnapshot& snapshot,
                         const EpcResources& resources) {
  Candidates candidates;
  const std::string pod_id = identity_of(args.pod);
  const bool any_reservation = !snapshot.reservations().empty();
  // kube-scheduler sends exactly one list; should both come, Nodes wins, since a cache-capable
  // scheduler falls back to the Nodes of a reply whose NodeNames is null.
  if (args.nodes) {
    candidates.from_request.reserve(args.nodes->size());  // no reallocation: records point here
    for (const NodeArg& node : *args.nodes) {
      NodeRecord record = make_node_record(node.node, resources);
      if (const NodeRecord* known = snapshot.node(node.node.name)) {
        record.committed_bytes = known->committed_bytes;
        record.epc_pods = known->epc_pods;
        record.reserved_bytes = known->reserved_bytes;
      }
      candidates.from_request.push_back(snapshot.as_seen_by(pod_id, std::move(record)));
      candidates.names.push_back(node.node.name);
      candidates.records.push_back(&candidates.from_request.back());
    }
  } else if (args.node_names) {
    if (any_reservation) candidates.from_request.reserve(args.node_names->size());
    for (const std::string& name : *args.node_names) {
      const NodeRecord* known = snapshot.node(name);
      // Only a node that holds reservations looks different to this pod: the others are used
      // as published, without a copy (a handful of pods are in flight; thousands of nodes are not).
      if (known != nullptr && any_reservation && snapshot.reserved_bytes(name) > 0) {
        candidates.from_request.push_back(snapshot.as_seen_by(pod_id, *known));
        known = &candidates.from_request.back();
      }
      candidates.names.push_back(name);
      candidates.records.push_back(known);
    }
  }
  return candidates;
}

bool is_known(const Pod& pod) {
  return !pod.uid.empty() || !pod.name.empty();
}

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

// EPC that evicting full victim pods would free. A victim whose demand cannot be read counts as
// freeing nothing: assuming it frees EPC could promise room that is not there.
int64_t full_victim_bytes(const NodeVictims& victims, const EpcResources& resources) {
  int64_t total = 0;
  for (const Pod& pod : victims.pods) {
    if (Result<EpcDemand> demand = epc_demand(pod, resources)) {
      total = saturating_add(total, demand->bytes);
    }
  }
  return total;
}

// EPC that evicting victims known only by UID would free, from the ledger; a pod the ledger does
// not know, or knows on another node, frees nothing on this one.
int64_t meta_victim_bytes(const NodeVictims& victims, const EpcLedger& ledger) {
  int64_t total = 0;
  for (const std::string& uid : victims.pod_uids) {
    const PodRecord* pod = ledger.pod_by_uid(uid);
    if (pod != nullptr && pod->node_name == victims.node_name) {
      total = saturating_add(total, pod->epc_bytes);
    }
  }
  return total;
}

std::vector<int64_t> victim_bytes_per_node(const std::vector<NodeVictims>& all,
                                           const ClusterState& state) {
  std::vector<int64_t> bytes(all.size(), 0);
  bool any_meta = false;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].pods.empty()) {
      any_meta = any_meta || !all[i].pod_uids.empty();
    } else {
      bytes[i] = full_victim_bytes(all[i], state.resources());
    }
  }
  if (!any_meta) return bytes;
  // One look-up under the writer lock for the whole request.
  state.inspect([&](const EpcLedger& ledger) {
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].pods.empty()) bytes[i] = meta_victim_bytes(all[i], ledger);
    }
  });
  return bytes;
}

// The reply keeps a node's victims as they came, in the UID form the reply uses.
NodeVictims as_meta(const NodeVictims& victims) {
  NodeVictims meta;
  meta.node_name = victims.node_name;
  meta.pod_uids = victims.pod_uids;
  meta.num_pdb_violations = victims.num_pdb_violations;
  return meta;
}

using Stopwatch = std::chrono::steady_clock;

void name_pod(Decision& decision, std::string_view pod_namespace, std::string_view pod_name,
              std::string_view pod_uid) {
  decision.pod_namespace = pod_namespace;
  decision.pod_name = pod_name;
  decision.pod_uid = pod_uid;
}

Decision invalid(Decision decision, const Error& error) {
  decision.outcome = Outcome::kInvalid;
  decision.message = error.message;
  return decision;
}

// A filter call's failed nodes, grouped by pool and cause as they are judged: a handful of groups
// however many nodes failed.
class RejectionTally {
 public:
  explicit RejectionTally(std::string_view pool_label_key) : pool_label_key_(pool_label_key) {}

  void add(const NodeRecord* node, std::string_view name, const FitVerdict& verdict) {
    const std::string_view pool = node != nullptr ? node->label(pool_label_key_) : "";
    for (RejectionGroup& group : groups_) {
      if (group.cause == verdict.cause && group.pool == pool) {
        ++group.nodes;
        return;
      }
    }
    groups_.push_back(
        {std::string(pool), verdict.cause, 1, std::string(name) + ": " + verdict.reason});
  }
  std::vector<RejectionGroup> take() { return std::move(groups_); }

 private:
  std::string_view pool_label_key_;
  std::vector<RejectionGroup> groups_;
};

// The node labels `policy` reads: its pool key and the keys its confidential selector tests.
NodeLabelKeys labels_read_by(const PlacementPolicy& policy) {
  std::vector<std::string> keys;
  if (!policy.pool_label_key.empty()) keys.push_back(policy.pool_label_key);
  for (const LabelRequirement& requirement : policy.confidential_selector.requirements()) {
    keys.push_back(requirement.key);
  }
  return NodeLabelKeys::only(std::move(keys));
}

// The policy for one request; a source that has none yet yields the defaults.
std::shared_ptr<const PlacementPolicy> policy_of(const ExtenderService::PolicySource& source) {
  std::shared_ptr<const PlacementPolicy> policy = source ? source() : nullptr;
  return policy ? policy : std::make_shared<const PlacementPolicy>();
}

}  // namespace

ExtenderService::ExtenderService(ClusterState& state, PolicySource policy,
                                 ExtenderServiceOptions options)
    : state_(state), policy_(std::move(policy)), options_(std::move(options)) {}

void ExtenderService::handle(Verb verb, std::string body, Respond respond) const {
  switch (verb) {
    case Verb::kFilter:
      return respond(filter(std::move(body)));
    case Verb::kPrioritize:
      return respond(prioritize(std::move(body)));
    case Verb::kBind:
      return bind(std::move(body), std::move(respond));
    case Verb::kPreempt:
      return respond(preempt(std::move(body)));
  }
  respond(bad_request(make_error("unknown verb")));
}

Reply ExtenderService::handle(Verb verb, std::string body) const {
  auto reply = std::make_shared<std::promise<Reply>>();
  std::future<Reply> result = reply->get_future();
  handle(verb, std::move(body), [reply](Reply r) { reply->set_value(std::move(r)); });
  return result.get();
}

Reply ExtenderService::report(Decision decision, Reply reply, Stopwatch::time_point started) const {
  reply.outcome = decision.outcome;
  if (options_.observe) {
    decision.duration = Stopwatch::now() - started;
    decision.at = std::chrono::system_clock::now();
    options_.observe(decision);
  }
  return reply;
}

Result<ExtenderArgs> ExtenderService::decode_candidates(std::string& body,
                                                        const PlacementPolicy& policy,
                                                        Decision& decision) const {
  pad_body(body);
  // Nodes keep only the labels this policy looks at: the one it judges them by.
  Result<ExtenderArgs> args =
      decode_extender_args(parsers_, body, state_.resources(), labels_read_by(policy));
  if (args) name_pod(decision, args->pod.namespace_name, args->pod.name, args->pod.uid);
  return args;
}

Readiness ExtenderService::readiness() const {
  if (!options_.readiness) return Readiness{true, {}};
  Readiness ready = options_.readiness();
  if (ready.ready || !ready.starting) return ready;  // every call once started: no clock read
  // While the first lists are coming in (seconds after a start), an answer a moment later beats an
  // Error: kube-scheduler v1.26 parks a pod that got one until the next cluster event or for
  // up to 5 minutes. A failing watch is not waited for: that lasts, and the Error says why.
  // Polled rather than signalled: it happens once per process, and only until the lists are in.
  const auto deadline = std::chrono::steady_clock::now() + options_.startup_wait;
  while (ready.starting && !ready.ready && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kStartupPoll);
    ready = options_.readiness();
  }
  return ready;
}

SteadyTime ExtenderService::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

void ExtenderService::reserve(const Pod& pod, std::string_view node) const {
  const BindRequest placement{pod.namespace_name, pod.name, pod.uid, std::string(node)};
  const SteadyTime at = now();
  state_.reserve(placement, at, at + options_.reservation_ttl);
}

Reply ExtenderService::filter(std::string body) const {
  const Stopwatch::time_point started = Stopwatch::now();
  Decision decision;
  decision.verb = Verb::kFilter;
  const EpcResources& resources = state_.resources();
  const std::shared_ptr<const PlacementPolicy> config_policy = policy_of(policy_);
  Result<ExtenderArgs> args = decode_candidates(body, *config_policy, decision);
  if (!args) {
    return report(invalid(std::move(decision), args.error()), bad_request(args.error()), started);
  }

  FilterResult result;
  result.nodes_mode = args->nodes.has_value();
  const auto answer_error = [&](std::string error) {
    decision.outcome = Outcome::kError;
    decision.message = error;
    result.error = std::move(error);
    return report(std::move(decision), {200, encode_filter_result(result)}, started);
  };
  if (const Readiness ready = readiness(); !ready.ready) {
    // Never a guess from an empty or stale view; kube-scheduler retries the pod with backoff.
    return answer_error("epc-extender is not ready: " + ready.reason);
  }
  Result<EpcDemand> demand = epc_demand(args->pod, resources);
  // In the reply, not as an HTTP error: kube-scheduler then records why on the pod.
  if (!demand) return answer_error(demand_error(args->pod, demand.error()));
  decision.epc_bytes = demand->bytes;
  if (is_known(args->pod)) state_.remember_pending(args->pod, *demand);

  const std::shared_ptr<const ClusterSnapshot> snapshot = state_.snapshot_at(now());
  // An override the pod asks for and cannot have fails every node with the reason, so the pod's
  // events say what to fix; preemption cannot help, hence unresolvable.
  const Result<std::shared_ptr<const PlacementPolicy>> policy =
      policy_for_pod(config_policy, args->pod);
  if (demand->needs_epc()) {
    recent_demands_.record(identity_of(args->pod), demand->bytes,
                           static_cast<size_t>(config_policy->bestfit_history));
  }
  const Candidates candidates = candidates_of(*args, *snapshot, resources);
  RejectionTally rejections(config_policy->pool_label_key);
  size_t passing = 0;
  size_t last_passing = 0;
  for (size_t i = 0; i < candidates.names.size(); ++i) {
    const std::string_view name = candidates.names[i];
    FitVerdict verdict =
        policy ? check_fit(*demand, candidates.records[i], name, **policy, resources)
               : FitVerdict{Fit::kUnresolvable, policy.error().message, FitCause::kInvalidOverride};
    if (verdict.fit != Fit::kFits && options_.observe) {
      rejections.add(candidates.records[i], name, verdict);
    }
    switch (verdict.fit) {
      case Fit::kFits:
        ++passing;
        last_passing = i;
        if (result.nodes_mode) {
          result.passing_nodes_json.push_back((*args->nodes)[i].raw_json);
        } else {
          result.passing_node_names.emplace_back(name);
        }
        break;
      case Fit::kUnschedulable:
        result.failed.emplace_back(name, std::move(verdict.reason));
        break;
      case Fit::kUnresolvable:
        result.unresolvable.emplace_back(name, std::move(verdict.reason));
        break;
    }
  }
  // With one node left, kube-scheduler places the pod there without calling prioritize.
  if (passing == 1 && demand->needs_epc() && is_known(args->pod)) {
    reserve(args->pod, candidates.names[last_passing]);
  }
  decision.nodes_considered = candidates.names.size();
  decision.nodes_passing = passing;
  decision.rejected = rejections.take();
  if (passing == 1) decision.node = candidates.names[last_passing];
  // No candidates is kube-scheduler's business (other filters removed them), not a rejection.
  decision.outcome =
      passing == 0 && !candidates.names.empty() ? Outcome::kUnschedulable : Outcome::kSuccess;
  return report(std::move(decision), {200, encode_filter_result(result)}, started);
}

Reply ExtenderService::prioritize(std::string body) const {
  const Stopwatch::time_point started = Stopwatch::now();
  Decision decision;
  decision.verb = Verb::kPrioritize;
  const EpcResources& resources = state_.resources();
  const std::shared_ptr<const PlacementPolicy> config_policy = policy_of(policy_);
  Result<ExtenderArgs> args = decode_candidates(body, *config_policy, decision);
  if (!args) {
    return report(invalid(std::move(decision), args.error()), bad_request(args.error()), started);
  }

  const std::shared_ptr<const ClusterSnapshot> snapshot = state_.snapshot_at(now());
  const Candidates candidates = candidates_of(*args, *snapshot, resources);
  // Prioritize has no error field and kube-scheduler ignores its failures anyway: a pod whose
  // demand cannot be read gets no preference (filter has already reported why).
  std::vector<int64_t> scores(candidates.names.size(), kMinExtenderScore);
  Result<EpcDemand> demand = epc_demand(args->pod, resources);
  const Result<std::shared_ptr<const PlacementPolicy>> policy =
      policy_for_pod(config_policy, args->pod);
  // A rejected override has been reported by filter; every node then scores 0.
  if (demand && policy && readiness().ready) {
    if (is_known(args->pod)) state_.remember_pending(args->pod, *demand);
    const std::vector<int64_t> recent =
        uses_recent_sizes(**policy) ? recent_demands_.sizes() : std::vector<int64_t>();
    scores = score_nodes(*demand, candidates.records, **policy, recent);
    // The top-ranked node is where kube-scheduler most likely puts the pod (ties: the first).
    const auto best = std::max_element(scores.begin(), scores.end());
    if (best != scores.end() && *best > kMinExtenderScore) {
      decision.node = candidates.names[best - scores.begin()];
      if (demand->needs_epc() && is_known(args->pod)) reserve(args->pod, decision.node);
    }
  }
  if (demand) decision.epc_bytes = demand->bytes;
  decision.nodes_considered = candidates.names.size();
  std::vector<HostPriority> priorities;
  priorities.reserve(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    priorities.push_back({std::string(candidates.names[i]), scores[i]});
  }
  return report(std::move(decision), {200, encode_host_priorities(priorities)}, started);
}

void ExtenderService::bind(std::string body, Respond respond) const {
  const Stopwatch::time_point started = Stopwatch::now();
  Decision decision;
  decision.verb = Verb::kBind;
  pad_body(body);
  Result<BindingArgs> args = decode_binding_args(parsers_, body);
  if (!args)
    return respond(
        report(invalid(std::move(decision), args.error()), bad_request(args.error()), started));
  name_pod(decision, args->pod_namespace, args->pod_name, args->pod_uid);
  decision.node = args->node;
  // Every answer is a BindingResult; an error in it fails this binding cycle of the pod.
  const auto answer = [this, started](Decision decision, std::string_view error) {
    decision.outcome = error.empty() ? Outcome::kSuccess : Outcome::kError;
    decision.message = error;
    return report(std::move(decision), Reply{200, encode_binding_result(error)}, started);
  };
  if (const Readiness ready = readiness(); !ready.ready) {
    return respond(answer(std::move(decision), "epc-extender is not ready: " + ready.reason));
  }
  const BindRequest request{args->pod_namespace, args->pod_name, args->pod_uid, args->node};
  // Commit first, under the writer lock, so that no concurrent decision or bind can count the
  // same EPC; the Binding is created after, and a refusal takes the commitment back.
  Result<EpcLedger::BindOutcome> committed = state_.modify([&](EpcLedger& ledger) {
    Result<EpcLedger::BindOutcome> outcome = ledger.bind(request);
    if (const PodRecord* pod = ledger.pod_by_name(request.pod_namespace, request.pod_name)) {
      decision.epc_bytes = pod->epc_bytes;
    }
    return outcome;
  });
  if (!committed) {
    decision.bind = BindEffect::kConflict;
    return respond(answer(std::move(decision), committed.error().message));
  }
  decision.bind = BindEffect::kBound;
  if (!options_.binder) return respond(answer(std::move(decision), {}));
  const bool undo_on_failure = *committed == EpcLedger::BindOutcome::kCommitted;
  options_.binder->bind(
      *args, [this, request, undo_on_failure, respond = std::move(respond), answer,
              decision = std::move(decision)](std::optional<BindError> failed) mutable {
        // TODO(bind-ambiguity): a BindFailure::kUnknown Binding may exist; keep the commitment
        // until the pod's watch event says where it went, instead of taking it back as here.
        if (failed && undo_on_failure) {
          state_.modify([&](EpcLedger& ledger) { ledger.unbind(request); });
          decision.bind = BindEffect::kRolledBack;
        }
        respond(answer(std::move(decision),
                       failed ? std::string_view(failed->message) : std::string_view()));
      });
}

Reply ExtenderService::preempt(std::string body) const {
  const Stopwatch::time_point started = Stopwatch::now();
  Decision decision;
  decision.verb = Verb::kPreempt;
  pad_body(body);
  const EpcResources& resources = state_.resources();
  Result<PreemptionArgs> args = decode_preemption_args(parsers_, body, resources);
  if (!args)
    return report(invalid(std::move(decision), args.error()), bad_request(args.error()), started);
  name_pod(decision, args->pod.namespace_name, args->pod.name, args->pod.uid);
  decision.nodes_considered = args->victims.size();

  PreemptionResult result;
  // Every answer is the nodes (with their victims) where eviction would make room.
  const auto answer = [&] {
    decision.nodes_passing = result.victims.size();
    return report(std::move(decision), {200, encode_preemption_result(result)}, started);
  };
  // Without a trustworthy view no eviction can be judged: offering no node stops preemption.
  if (!readiness().ready) return answer();
  Result<EpcDemand> demand = epc_demand(args->pod, resources);
  // The reply has no error field. A pod whose demand cannot be read fails every filter call, so
  // no eviction can help it: offering no node stops a pointless preemption.
  if (!demand) return answer();
  decision.epc_bytes = demand->bytes;
  if (!demand->needs_epc()) {
    // Not an EPC question: every node stays a candidate with the victims it came with.
    for (const NodeVictims& victims : args->victims) result.victims.push_back(as_meta(victims));
    return answer();
  }

  // A pod whose override is rejected fails every filter call: no eviction can help it.
  const Result<std::shared_ptr<const PlacementPolicy>> pod_policy =
      policy_for_pod(policy_of(policy_), args->pod);
  if (!pod_policy) return answer();
  const PlacementPolicy& policy = **pod_policy;
  const std::shared_ptr<const ClusterSnapshot> snapshot = state_.snapshot_at(now());
  const std::vector<int64_t> freed = victim_bytes_per_node(args->victims, state_);
  for (size_t i = 0; i < args->victims.size(); ++i) {
    const NodeVictims& victims = args->victims[i];
    const NodeRecord* node = snapshot->node(victims.node_name);
    if (node == nullptr) continue;
    const NodeRecord seen = snapshot->as_seen_by(identity_of(args->pod), *node);
    if (check_fit_after_eviction(*demand, seen, freed[i], policy, resources).fit == Fit::kFits) {
      result.victims.push_back(as_meta(victims));
    }
  }
  return answer();
}

}  // namespace epc
