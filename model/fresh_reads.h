// FreshReads: what the API server said, just now, about the nodes and pods a recheck planned to
// read (model/recheck_plan.h), and how the ledger takes it in.
//
// The reads are consistent reads, newer than anything the watch has delivered, so they replace
// the view's facts at once: a node found is upserted, one gone is removed; a pod gone, or
// replaced by another pod of the same name, releases the EPC held for it; a pod found is
// upserted (bound elsewhere, terminated). The watch's later events then apply as usual; one
// delivered late that predates a read can only make the view hold more EPC for a moment, never
// less, so nothing is over-committed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/epc_ledger.h"
#include "model/node.h"
#include "model/pod.h"
#include "model/recheck_plan.h"
#include "model/result.h"

namespace epc {

struct NodeRead {
  std::string name;
  std::optional<Node> node;  // nullopt: the API server has no such node
};

struct PodRead {
  HeldPod pod;
  std::optional<Pod> found;  // nullopt: the API server has no pod of that name
};

struct FreshReads {
  std::vector<NodeRead> nodes;
  std::vector<PodRead> pods;
  // Reads that got no answer (a transport error, a timeout, a refusal, an unreadable body) or were
  // not made (the read budget was spent): their facts stay as the view has them.
  std::vector<Error> failures;
  size_t skipped = 0;
};

// What taking the reads in changed.
struct FreshChanges {
  size_t nodes_changed = 0;   // nodes added, changed or removed
  size_t pods_released = 0;   // pods whose EPC the view no longer holds where it did
  std::vector<Error> errors;  // pods the ledger could not take (an unreadable EPC quantity)
  bool any() const { return nodes_changed + pods_released > 0; }
};

FreshChanges apply_fresh_reads(EpcLedger& ledger, const FreshReads& reads);

}  // namespace epc
