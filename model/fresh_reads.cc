#include "model/fresh_reads.h"

namespace epc {
namespace {

bool same_facts(const NodeRecord& a, const NodeRecord& b) {
  return a.epc.bytes == b.epc.bytes && a.epc.resource == b.epc.resource &&
         a.epc.others.size() == b.epc.others.size() && a.capacity_error == b.capacity_error &&
         a.unschedulable == b.unschedulable && a.readiness == b.readiness &&
         a.unreachable == b.unreachable &&
         (a.labels == b.labels || (a.labels && b.labels && *a.labels == *b.labels));
}

// Whether the view holds EPC for `pod` on `node` (bound there, or reserved there).
bool held_on(const EpcLedger& ledger, const std::string& identity, const std::string& node) {
  const PodRecord* record = ledger.pod_by_uid(identity);
  if (record == nullptr) return false;
  if (record->node_name == node) return true;
  auto reservation = ledger.reservations().find(identity);
  return reservation != ledger.reservations().end() && reservation->second.node_name == node;
}

}  // namespace

FreshChanges apply_fresh_reads(EpcLedger& ledger, const FreshReads& reads) {
  FreshChanges changes;
  for (const NodeRead& read : reads.nodes) {
    const NodeRecord* before = ledger.node(read.name);
    if (!read.node) {
      if (before != nullptr) {
        ledger.remove_node(read.name);
        ++changes.nodes_changed;
      }
      continue;
    }
    const NodeRecord fresh = make_node_record(*read.node, ledger.resources());
    if (before != nullptr && same_facts(*before, fresh)) continue;
    ledger.upsert_node(*read.node);
    ++changes.nodes_changed;
  }
  for (const PodRead& read : reads.pods) {
    const HeldPod& held = read.pod;
    if (!held_on(ledger, held.identity, held.node_name)) continue;  // the watch got there first
    const bool same_pod = read.found && (held.uid.empty() || read.found->uid == held.uid);
    if (!same_pod) {
      ledger.remove_pod(held.identity);
    } else if (Result<void> taken = ledger.upsert_pod(*read.found); !taken) {
      changes.errors.push_back(taken.error());
      continue;
    }
    if (!held_on(ledger, held.identity, held.node_name)) ++changes.pods_released;
  }
  return changes;
}

}  // namespace epc
