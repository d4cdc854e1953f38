#include "scheduler/extender/extender_service.h"

#include <future>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "model/bind_decision.h"
#include "model/candidate_nodes.h"
#include "model/filter_decision.h"
#include "model/fresh_reads.h"
#include "model/pod_request.h"
#include "model/preempt_decision.h"
#include "model/prioritize_decision.h"
#include "model/recheck_plan.h"
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

// The request's candidates as the model reads them. kube-scheduler sends exactly one list; should
// both come, Nodes wins, since a cache-capable scheduler falls back to the Nodes of a reply whose
// NodeNames is null.
CandidateNodes candidates_of(const ExtenderArgs& args, const ClusterSnapshot& snapshot,
                             const PodRequest& pod, const EpcResources& resources) {
  if (args.nodes) {
    CandidateNodes candidates(CandidateNodes::Mode::kNodes, snapshot, pod.identity,
                              args.nodes->size());
    for (const NodeArg& node : *args.nodes) candidates.add_node(node.node, resources);
    return candidates;
  }
  const size_t count = args.node_names ? args.node_names->size() : 0;
  CandidateNodes candidates(CandidateNodes::Mode::kNodeNames, snapshot, pod.identity, count);
  if (args.node_names) candidates.add_names(*args.node_names);
  return candidates;
}

CandidateView view_of(const CandidateNodes& candidates) {
  return {candidates.names(), candidates.records()};
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
  if (!starting()) return dispatch(verb, std::move(body), std::move(respond));
  // While the first lists are coming in (seconds after a start), an answer a moment later beats an
  // Error: kube-scheduler v1.26 parks a pod that got one until the next cluster event or for up to
  // 5 minutes. Polled rather than signalled: it happens once per process, and only until the
  // lists are in.
  when_started(Stopwatch::now() + options_.startup_wait,
               [this, verb, body = std::move(body), respond = std::move(respond)]() mutable {
                 dispatch(verb, std::move(body), std::move(respond));
               });
}

bool ExtenderService::starting() const {
  if (!options_.readiness || options_.startup_wait <= std::chrono::milliseconds::zero()) {
    return false;
  }
  const Readiness ready = options_.readiness();
  return !ready.ready && ready.starting;
}

void ExtenderService::when_started(SteadyTime deadline, std::function<void()> run) const {
  // A failing watch is not waited for: that lasts, and the verb's Error says why.
  while (starting() && Stopwatch::now() < deadline) {
    if (options_.call_after) {
      return options_.call_after(kStartupPoll, [this, deadline, run = std::move(run)]() mutable {
        when_started(deadline, std::move(run));
      });
    }
    std::this_thread::sleep_for(kStartupPoll);
  }
  run();
}

void ExtenderService::dispatch(Verb verb, std::string body, Respond respond) const {
  switch (verb) {
    case Verb::kFilter:
      return filter(std::move(body), std::move(respond));
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
  return options_.readiness ? options_.readiness() : Readiness{true, {}};
}

SteadyTime ExtenderService::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

void ExtenderService::reserve(const Pod& pod, std::string_view node) const {
  const BindRequest placement{pod.namespace_name, pod.name, pod.uid, std::string(node)};
  const SteadyTime at = now();
  state_.reserve(placement, at, at + options_.reservation_ttl);
}

void ExtenderService::learn_sent_nodes(const std::vector<NodeArg>& nodes) const {
  const std::shared_ptr<const ClusterSnapshot> snapshot = state_.snapshot();
  std::vector<const Node*> unknown;
  for (const NodeArg& node : nodes) {
    if (snapshot->node(node.node.name) == nullptr) unknown.push_back(&node.node);
  }
  if (unknown.empty()) return;  // the common case: no lock taken
  state_.modify([&](EpcLedger& ledger) {
    for (const Node* node : unknown) ledger.learn_node(*node);
  });
}

// One filter call's request, kept while a recheck's reads are out.
struct ExtenderService::FilterCall {
  std::string body;  // the Nodes' raw JSON in `args` points into it
  ExtenderArgs args;
  PodRequest pod;
  Decision decision;
  Stopwatch::time_point started;
};

Reply ExtenderService::filter_error(Decision decision, bool nodes_mode, std::string error,
                                    Stopwatch::time_point started) const {
  FilterResult result;
  result.nodes_mode = nodes_mode;
  decision.outcome = Outcome::kError;
  decision.message = error;
  result.error = std::move(error);
  return report(std::move(decision), {200, encode_filter_result(result)}, started);
}

void ExtenderService::filter(std::string body, Respond respond) const {
  const Stopwatch::time_point started = Stopwatch::now();
  Decision decision;
  decision.verb = Verb::kFilter;
  const EpcResources& resources = state_.resources();
  std::shared_ptr<const PlacementPolicy> config_policy = policy_of(policy_);
  Result<ExtenderArgs> args = decode_candidates(body, *config_policy, decision);
  if (!args) {
    return respond(
        report(invalid(std::move(decision), args.error()), bad_request(args.error()), started));
  }
  if (const Readiness ready = readiness(); !ready.ready) {
    // Never a guess from an empty or stale view; kube-scheduler retries the pod with backoff.
    return respond(filter_error(std::move(decision), args->nodes.has_value(),
                                "epc-extender is not ready: " + ready.reason, started));
  }
  PodRequest pod = resolve_pod_request(args->pod, std::move(config_policy), resources);
  // Moving the body keeps its buffer (padded, so never inline), which the args point into.
  auto call = std::make_shared<FilterCall>(
      FilterCall{std::move(body), std::move(*args), std::move(pod), std::move(decision), started});
  if (call->args.nodes) learn_sent_nodes(*call->args.nodes);
  const auto decide = [this](const FilterCall& call, const ClusterSnapshot& snapshot) {
    const EpcResources& resources = state_.resources();
    CandidateNodes candidates = candidates_of(call.args, snapshot, call.pod, resources);
    FilterDecision verdicts = decide_filter(call.pod, view_of(candidates), resources,
                                            static_cast<bool>(options_.observe));
    return std::pair{std::move(candidates), std::move(verdicts)};
  };
  const std::shared_ptr<const ClusterSnapshot> snapshot = state_.snapshot_at(now());
  // Named, not structured bindings: the planning lambda below refers to them.
  auto decided = decide(*call, *snapshot);
  const CandidateNodes& candidates = decided.first;
  FilterDecision& verdicts = decided.second;

  RecheckPlan plan;
  if (options_.fresh_reader && options_.recheck_reads > 0) {
    plan = state_.inspect([&](const EpcLedger& ledger) {
      return plan_recheck(call->pod, view_of(candidates), verdicts, ledger,
                          call->args.nodes.has_value(), options_.recheck_reads);
    });
  }
  if (plan.empty()) return respond(answer_filter(*call, candidates, std::move(verdicts)));

  // The view rejects every node for reasons fresh reads may overturn: read, take the answers in,
  // and decide again (docs/live-state.md, "Stale views").
  const Stopwatch::time_point asked = Stopwatch::now();
  const size_t reads = plan.reads();
  options_.fresh_reader->read(std::move(plan), [this, call, decide, reads, asked,
                                                respond = std::move(respond)](FreshReads answers) {
    const FreshChanges changes =
        state_.modify([&](EpcLedger& ledger) { return apply_fresh_reads(ledger, answers); });
    const std::shared_ptr<const ClusterSnapshot> fresh = state_.snapshot_at(now());
    auto [candidates, verdicts] = decide(*call, *fresh);
    Recheck& recheck = call->decision.recheck;
    recheck.reads = reads;
    recheck.failures = answers.failures.size() + answers.skipped + changes.errors.size();
    recheck.took = Stopwatch::now() - asked;
    recheck.outcome = !verdicts.passing.empty() ? RecheckOutcome::kReversed
                      : recheck.failures > 0    ? RecheckOutcome::kFailed
                                                : RecheckOutcome::kConfirmed;
    respond(answer_filter(*call, candidates, std::move(verdicts)));
  });
}

Reply ExtenderService::filter(std::string body) const {
  if (options_.fresh_reader) return handle(Verb::kFilter, std::move(body));
  std::optional<Reply> reply;
  filter(std::move(body), [&reply](Reply answered) { reply = std::move(answered); });
  return std::move(*reply);
}

Reply ExtenderService::answer_filter(FilterCall& call, const CandidateNodes& candidates,
                                     FilterDecision verdicts) const {
  Decision& decision = call.decision;
  const ExtenderArgs& args = call.args;
  const PodRequest& pod = call.pod;
  // In the reply, not as an HTTP error: kube-scheduler then records why on the pod.
  if (verdicts.error) {
    return filter_error(std::move(decision), args.nodes.has_value(),
                        demand_error(args.pod, *verdicts.error), call.started);
  }
  decision.epc_bytes = pod.demand->bytes;
  if (pod.known) state_.remember_pending(args.pod, *pod.demand);
  record_demand(pod, recent_demands_);
  if (verdicts.reserve_on) reserve(args.pod, candidates.name(*verdicts.reserve_on));

  FilterResult result;
  result.nodes_mode = args.nodes.has_value();
  for (const size_t i : verdicts.passing) {
    if (result.nodes_mode) {
      result.passing_nodes_json.push_back((*args.nodes)[i].raw_json);
    } else {
      result.passing_node_names.emplace_back(candidates.name(i));
    }
  }
  // Views of `verdicts`' reasons, which live until the reply is encoded below.
  for (const FilterDecision::Rejection& rejection : verdicts.failed) {
    result.failed.emplace_back(candidates.name(rejection.candidate), verdicts.reason_of(rejection));
  }
  for (const FilterDecision::Rejection& rejection : verdicts.unresolvable) {
    result.unresolvable.emplace_back(candidates.name(rejection.candidate),
                                     verdicts.reason_of(rejection));
  }
  decision.nodes_considered = candidates.size();
  decision.nodes_passing = verdicts.passing.size();
  decision.rejected = std::move(verdicts.rejected);
  if (verdicts.passing.size() == 1) decision.node = candidates.name(verdicts.passing.front());
  decision.outcome =
      verdicts.rejects(candidates.size()) ? Outcome::kUnschedulable : Outcome::kSuccess;
  return report(std::move(decision), {200, encode_filter_result(result)}, call.started);
}

Reply ExtenderService::prioritize(std::string body) const {
  const Stopwatch::time_point started = Stopwatch::now();
  Decision decision;
  decision.verb = Verb::kPrioritize;
  const EpcResources& resources = state_.resources();
  std::shared_ptr<const PlacementPolicy> config_policy = policy_of(policy_);
  Result<ExtenderArgs> args = decode_candidates(body, *config_policy, decision);
  if (!args) {
    return report(invalid(std::move(decision), args.error()), bad_request(args.error()), started);
  }

  const PodRequest pod = resolve_pod_request(args->pod, std::move(config_policy), resources);
  const std::shared_ptr<const ClusterSnapshot> snapshot = state_.snapshot_at(now());
  const CandidateNodes candidates = candidates_of(*args, *snapshot, pod, resources);
  // Readiness is asked only of a pod that can be scored: it may wait for the first lists.
  const bool ready = pod.demand && pod.policy && readiness().ready;
  const PrioritizeDecision scored =
      decide_prioritize(pod, view_of(candidates), recent_demands_, ready);
  if (ready && pod.known) state_.remember_pending(args->pod, *pod.demand);
  if (scored.reserve_on) reserve(args->pod, candidates.name(*scored.reserve_on));
  if (scored.top) decision.node = candidates.name(*scored.top);
  if (pod.demand) decision.epc_bytes = pod.demand->bytes;
  decision.nodes_considered = candidates.size();
  std::vector<HostPriority> priorities;
  priorities.reserve(scored.scores.size());
  for (size_t i = 0; i < scored.scores.size(); ++i) {
    priorities.push_back({candidates.name(i), scored.scores[i]});
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
  BindCommit committed =
      state_.modify([&](EpcLedger& ledger) { return commit_binding(ledger, request); });
  decision.epc_bytes = committed.epc_bytes;
  if (!committed.outcome) {
    decision.bind = BindEffect::kConflict;
    return respond(answer(std::move(decision), committed.outcome.error().message));
  }
  decision.bind = BindEffect::kBound;
  if (!options_.binder) return respond(answer(std::move(decision), {}));
  options_.binder->bind(
      *args, [this, request, outcome = *committed.outcome, respond = std::move(respond), answer,
              decision = std::move(decision)](std::optional<BindError> failed) mutable {
        const BindingAnswer said = !failed ? BindingAnswer::kCreated
                                   : failed->failure == BindFailure::kRefused
                                       ? BindingAnswer::kRefused
                                       : BindingAnswer::kUnknown;
        const SteadyTime at = now();
        const BindSettlement settled = state_.modify([&](EpcLedger& ledger) {
          return settle_binding(ledger, request, outcome, said, at + options_.reservation_ttl);
        });
        if (settled == BindSettlement::kReleased) decision.bind = BindEffect::kRolledBack;
        if (settled == BindSettlement::kHeld) decision.bind = BindEffect::kHeld;
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

  const PodRequest pod = resolve_pod_request(args->pod, policy_of(policy_), resources);
  if (pod.demand) decision.epc_bytes = pod.demand->bytes;
  // Without a trustworthy view no eviction can be judged: offering no node stops preemption.
  const bool ready = readiness().ready;
  const std::shared_ptr<const ClusterSnapshot> snapshot = state_.snapshot_at(now());
  // Victims are looked up in the ledger, under the writer lock, once for the whole request.
  const PreemptDecision offered = state_.inspect([&](const EpcLedger& ledger) {
    return decide_preempt(pod, args->victims, *snapshot, ledger, resources, ready);
  });
  PreemptionResult result;
  result.victims.reserve(offered.offered.size());
  for (const size_t i : offered.offered) result.victims.push_back(as_meta(args->victims[i]));
  decision.nodes_passing = result.victims.size();
  return report(std::move(decision), {200, encode_preemption_result(result)}, started);
}

}  // namespace epc
