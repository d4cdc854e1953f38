// The bind verb's two steps on the ledger: commit before the Binding is created, settle after.
//
// Committing first, under the state's writer lock, means no concurrent decision or bind can count
// the same EPC. How the commitment is settled depends on what the API server said:
// - created: it stays;
// - refused (the pod is certainly not bound there): it is taken back, the EPC is free again;
// - unknown (a timeout, a dropped connection, a 5xx: the Binding may have been created): it
//   becomes a reservation on the node, which ends when the watch shows where the pod went or when
//   it expires. Releasing it at once would let another pod take EPC the first one may be using.
#pragma once

#include <cstdint>

#include "model/epc_ledger.h"
#include "model/result.h"

namespace epc {

struct BindCommit {
  Result<EpcLedger::BindOutcome> outcome;
  int64_t epc_bytes = 0;  // the pod's EPC as the ledger knows it; 0 for an unknown pod
};

BindCommit commit_binding(EpcLedger& ledger, const BindRequest& request);

// What the API server answered to the Binding.
enum class BindingAnswer { kCreated, kRefused, kUnknown };

// What became of the commitment.
enum class BindSettlement {
  kKept,      // created, or the pod was already bound there before this call
  kReleased,  // refused: the commitment was taken back
  kHeld,      // unknown: held as a reservation until `hold_until` or the watch says
};

// `committed` is commit_binding's outcome (only kCommitted is taken back or held).
BindSettlement settle_binding(EpcLedger& ledger, const BindRequest& request,
                              EpcLedger::BindOutcome committed, BindingAnswer answer,
                              SteadyTime hold_until);

}  // namespace epc
