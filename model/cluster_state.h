// ClusterState: the extender's view of nodes and of the EPC that pods hold on them, shared between
// the threads that decide (filter, prioritize, preempt) and those that change it (bind, the state
// source).
//
// Readers take an immutable ClusterSnapshot (one atomic shared_ptr load), so concurrent decisions
// never wait for each other or for a writer, and never see half an update. Writers serialise on one
// mutex, change the single-threaded EpcLedger, and publish a new snapshot when done; a batch of
// changes (a whole cluster file, a re-list) is published once, atomically.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/epc_ledger.h"
#include "model/node_record.h"
#include "model/node_table.h"

namespace epc {

// An immutable view of all nodes; cheap to hold for the length of one request.
//
// Each node record carries the EPC committed and reserved on it. The node table shares every shard
// but the changed ones with the previous snapshot's, so a pod's change (a reservation, a bind, its
// watch event) copies the few records of one shard, whatever the size of the cluster and however
// many other pods are being placed. Decisions read a record through NodeRecord::as_seen_by, which
// leaves the pod's own reservation out.
class ClusterSnapshot {
 public:
  ClusterSnapshot();
  ClusterSnapshot(std::shared_ptr<const NodeTable> nodes, SteadyTime earliest_expiry);

  const NodeRecord* node(std::string_view name) const { return nodes_->find(name); }
  const NodeTable& nodes() const { return *nodes_; }
  // EPC reserved on `name` for pods being placed there; 0 for a node the snapshot does not know.
  int64_t reserved_bytes(std::string_view name) const;
  // EPC committed on `name` by bound pods; 0 for a node the snapshot does not know.
  int64_t committed_bytes(std::string_view name) const;
  bool has_expired_reservations(SteadyTime now) const { return earliest_expiry_ <= now; }
  SteadyTime earliest_expiry() const { return earliest_expiry_; }

 private:
  std::shared_ptr<const NodeTable> nodes_;
  SteadyTime earliest_expiry_ = SteadyTime::max();
};

class ClusterState {
 public:
  explicit ClusterState(EpcResources resources);

  std::shared_ptr<const ClusterSnapshot> snapshot() const { return snapshot_.load(); }

  // Runs `change` on the ledger under the writer lock, then publishes one new snapshot if the
  // change touched what snapshots carry. `change`'s result is returned as is.
  template <class F>
  auto modify(F&& change) -> decltype(change(std::declval<EpcLedger&>())) {
    std::lock_guard lock(writer_);
    if constexpr (std::is_void_v<decltype(change(ledger_))>) {
      change(ledger_);
      publish();
    } else {
      auto result = change(ledger_);
      publish();
      return result;
    }
  }

  // Reads the ledger under the writer lock (for pod look-ups that snapshots do not carry).
  template <class F>
  auto inspect(F&& read) const -> decltype(read(std::declval<const EpcLedger&>())) {
    std::lock_guard lock(writer_);
    return read(ledger_);
  }

  // A snapshot in which no reservation has expired at `now`: the current one, or a new one
  // published after dropping the expired reservations.
  std::shared_ptr<const ClusterSnapshot> snapshot_at(SteadyTime now) {
    std::shared_ptr<const ClusterSnapshot> current = snapshot();
    if (!current->has_expired_reservations(now)) return current;
    expire_reservations(now);
    return snapshot();
  }

  // Drops expired reservations, publishing a snapshot only when one expired.
  void expire_reservations(SteadyTime now) {
    std::lock_guard lock(writer_);
    if (ledger_.expire_reservations(now) > 0) publish();
  }

  // EpcLedger::reserve after dropping reservations expired at `now`; publishes a snapshot.
  void reserve(const BindRequest& placement, SteadyTime now, SteadyTime expires) {
    std::lock_guard lock(writer_);
    ledger_.expire_reservations(now);
    ledger_.reserve(placement, expires);
    publish();
  }

  // Remembers a pending pod for a later bind call. Snapshots do not carry pending pods, so this
  // takes the writer lock only briefly and publishes nothing.
  void remember_pending(const Pod& pod, const EpcDemand& demand) {
    std::lock_guard lock(writer_);
    ledger_.remember_pending(pod, demand);
  }

  const EpcResources& resources() const { return ledger_.resources(); }

 private:
  void publish();

  mutable std::mutex writer_;
  // What the last snapshot was published from. A publish copies the ledger's table only when it
  // differs from this, so a change that touched no node (a pending pod's event) costs no copy,
  // and the shards' reference counts are not touched 256 times for nothing.
  std::shared_ptr<const NodeTable> nodes_;
  EpcLedger ledger_;
  std::atomic<std::shared_ptr<const ClusterSnapshot>> snapshot_;
};

}  // namespace epc
