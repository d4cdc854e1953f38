// ExtenderService: the verb handlers, from request bytes to reply bytes.
//
// It knows the protocol but not the transport: the HTTP layer hands it a verb and a body and sends
// back what it returns, so every verb is testable without a socket. Data flows one way: decode →
// model decision against one cluster snapshot and one policy → encode. Status codes: 200 for every
// decodable request (decision failures go in the protocol's Error field, as kube-scheduler
// expects), 400 for a body that is not a valid request of the verb.
//
// Decisions also keep the ledger honest between kube-scheduler's calls: the pod asked about is
// remembered for its bind call, and the node it is most likely to land on (the only one that
// passed filter, or the top-ranked one in prioritize) gets a short reservation of its EPC, so the
// next pod's decision does not count that EPC as free before the binding is seen.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "model/candidate_nodes.h"
#include "model/cluster_state.h"
#include "model/filter_decision.h"
#include "model/placement_policy.h"
#include "model/scoring/recent_demands.h"
#include "scheduler/extender/decision.h"
#include "scheduler/extender/fresh_reader.h"
#include "scheduler/extender/pod_binder.h"
#include "scheduler/extender/verb.h"
#include "scheduler/state/state_source.h"
#include "scheduler/wire/extender_args.h"
#include "scheduler/wire/json_reader.h"

namespace epc {

struct Reply {
  int status = 200;
  std::string body;  // JSON
  Outcome outcome = Outcome::kSuccess;
};

struct ExtenderServiceOptions {
  // Whether the state can be trusted; while not, filter answers with an Error (kube-scheduler
  // retries the pod later) and bind refuses. Empty: always ready.
  std::function<Readiness()> readiness;
  // How long a verb that arrives while the source is still starting (its first lists not in yet)
  // waits for it to become ready before answering "not ready". Keep it below kube-scheduler's
  // httpTimeout so the scheduler gets an answer, not a timeout. Zero: no wait.
  std::chrono::milliseconds startup_wait{0};
  // Runs a task after a delay without holding the calling thread meanwhile: the startup wait polls
  // through it, so that waiting calls leave the server's few threads to the lists they wait for.
  // Empty: the wait sleeps on the calling thread (tests and tools).
  std::function<void(std::chrono::milliseconds, std::function<void()>)> call_after;
  // Creates Bindings in the API server; null: bind only records the placement in the ledger.
  std::shared_ptr<const PodBinder> binder;
  // Reads nodes and pods afresh before filter turns a pod away on every node, at most
  // `recheck_reads` per call (docs/live-state.md, "Stale views"); null or 0: never.
  std::shared_ptr<const FreshReader> fresh_reader;
  size_t recheck_reads = 16;
  // How long a reservation holds EPC if the pod's binding is never seen.
  std::chrono::milliseconds reservation_ttl{30'000};
  std::function<SteadyTime()> clock;  // empty: std::chrono::steady_clock::now
  // Told of every call's decision once its reply is built; empty: nobody listens.
  DecisionObserver observe;
};

class ExtenderService {
 public:
  // `policy` is read once per request, so a config swap never changes a decision half way.
  using PolicySource = std::function<std::shared_ptr<const PlacementPolicy>()>;
  using Respond = std::function<void(Reply)>;

  ExtenderService(ClusterState& state, PolicySource policy, ExtenderServiceOptions options = {});

  // Answers through `respond`, exactly once: at once for every verb except a bind that waits for
  // the API server, which responds from the binder's thread, a filter that rechecks its
  // rejection, which responds from the reader's, and any verb that arrives while the source is
  // starting, which waits for the first lists (at most `startup_wait`, through `call_after`).
  // `body` is padded here if needed.
  void handle(Verb verb, std::string body, Respond respond) const;
  // The same, waiting for the reply. For tests and tools; never call it on a thread the binder's
  // completion may need (cpprestsdk's pool).
  Reply handle(Verb verb, std::string body) const;

  void filter(std::string body, Respond respond) const;
  // Waits only when a recheck makes the reply asynchronous; without a reader it never is.
  Reply filter(std::string body) const;
  Reply prioritize(std::string body) const;
  void bind(std::string body, Respond respond) const;
  Reply preempt(std::string body) const;

 private:
  struct FilterCall;
  // Filter's reply to `call` from `verdicts` on `candidates`: remembers, reserves, encodes.
  Reply answer_filter(FilterCall& call, const CandidateNodes& candidates,
                      FilterDecision verdicts) const;
  // Filter's reply carrying `error` (in the reply, so kube-scheduler records it on the pod).
  Reply filter_error(Decision decision, bool nodes_mode, std::string error,
                     std::chrono::steady_clock::time_point started) const;
  // Fills in the decision's timing, hands it to the observer and returns `reply` with its outcome.
  Reply report(Decision decision, Reply reply, std::chrono::steady_clock::time_point started) const;
  // Filter's and prioritize's request under `policy`; names the pod in `decision` once decoded.
  Result<ExtenderArgs> decode_candidates(std::string& body, const PlacementPolicy& policy,
                                         Decision& decision) const;
  // Runs the verb once the source has started or `deadline` has passed (see startup_wait).
  void when_started(SteadyTime deadline, std::function<void()> run) const;
  void dispatch(Verb verb, std::string body, Respond respond) const;
  bool starting() const;
  Readiness readiness() const;
  SteadyTime now() const;
  void reserve(const Pod& pod, std::string_view node) const;
  // Nodes mode: lets the ledger learn the nodes kube-scheduler sent that the source has not
  // delivered yet, so filter, reservations and bind all count EPC on them alike.
  void learn_sent_nodes(const std::vector<NodeArg>& nodes) const;

  ClusterState& state_;
  PolicySource policy_;
  ExtenderServiceOptions options_;
  mutable JsonParserPool parsers_;        // warm parsers shared by concurrent requests
  mutable RecentDemands recent_demands_;  // EPC sizes filter saw lately, for bestfit
};

}  // namespace epc
