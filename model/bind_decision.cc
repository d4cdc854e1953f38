#include "model/bind_decision.h"

namespace epc {

BindCommit commit_binding(EpcLedger& ledger, const BindRequest& request) {
  Result<EpcLedger::BindOutcome> outcome = ledger.bind(request);
  // By name, as the ledger indexes every pod so, with or without a UID.
  const PodRecord* pod = ledger.pod_by_name(request.pod_namespace, request.pod_name);
  return BindCommit{std::move(outcome), pod != nullptr ? pod->epc_bytes : 0};
}

BindSettlement settle_binding(EpcLedger& ledger, const BindRequest& request,
                              EpcLedger::BindOutcome committed, BindingAnswer answer,
                              SteadyTime hold_until) {
  if (answer == BindingAnswer::kCreated || committed != EpcLedger::BindOutcome::kCommitted) {
    return BindSettlement::kKept;
  }
  ledger.unbind(request);
  if (answer == BindingAnswer::kRefused) return BindSettlement::kReleased;
  ledger.reserve(request, hold_until);
  return BindSettlement::kHeld;
}

}  // namespace epc
