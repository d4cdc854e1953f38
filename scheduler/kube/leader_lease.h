// LeaderLease: which replica of the extender may run consolidation. Evicting pods and tainting
// nodes from two replicas at once could drain more than either planned, so the replicas elect one
// through a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does.
//
// The decision follows LeaderElector.tryAcquireOrRenew (client-go
// tools/leaderelection/leaderelection.go): create the Lease when there is none; renew it when the
// record names us; take it over when it names nobody or when its holder let it expire. Expiry is
// judged by the LOCAL time at which this replica last saw the record change (client-go's
// observedTime) plus the record's leaseDurationSeconds, never by the renewTime the holder wrote,
// so clocks that disagree between nodes cannot make two replicas act at once. Every write is
// conditional (a create fails when the Lease exists, an update carries the resourceVersion that
// was read), so of two replicas racing only one wins; the other sees 409 and stands by.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "model/result.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/wire/lease_object.h"

namespace epc {

struct LeaseOptions {
  std::string lease_namespace;  // required
  std::string name = "epc-extender-consolidation";
  std::string identity;  // required: unique per replica
  std::chrono::seconds duration = std::chrono::seconds(60);
  std::function<std::chrono::steady_clock::time_point()> clock;  // empty: steady_clock::now
};

struct LeaseHold {
  bool held = false;
  std::string holder;  // the current holder's identity ("" when none)
};

// What tryAcquireOrRenew does next with the record it read.
enum class LeaseStep {
  kCreate,    // there is no Lease: create one naming us
  kRenew,     // the record names us: renew it (same acquireTime and leaseTransitions)
  kTakeOver,  // it names nobody, or its holder has not renewed it in time: take it over
  kStandby,   // another holder whose term has not run out by our clock
};

// The decision alone. `observed` is the record as read (nothing: no Lease); `observed_changed_at`
// the time, on the same clock as `now`, at which this replica first saw the record as it is now.
// The term is the record's leaseDurationSeconds, as in client-go's isLeaseValid; a record without
// one (0) is given `duration`, so that a holder is never run over for writing an odd record.
LeaseStep lease_step(const std::optional<LeaseRecord>& observed, const std::string& identity,
                     std::chrono::steady_clock::time_point observed_changed_at,
                     std::chrono::steady_clock::time_point now, std::chrono::seconds duration);

class LeaderLease {
 public:
  // `client` must outlive the LeaderLease.
  LeaderLease(ApiClient& client, LeaseOptions options);

  // Blocking; call from a thread of its own, never from cpprestsdk's pool (and from one thread at
  // a time). Reads the Lease; creates it when absent, takes it when free or expired, renews it
  // when ours. held=true when this identity holds it for `duration` from now. A 409 on create or
  // update (another replica won the race) is held=false; any other API error is an Error. Never
  // held on doubt.
  Result<LeaseHold> acquire_or_renew();

  // Whether our last successful acquire_or_renew is less than `duration` old (by the clock), timed
  // from before its request was sent — i.e. we may still act. Safe from any thread.
  bool holds_now() const;

  // Best effort, blocking: when we hold it, clears holderIdentity (client-go's ReleaseOnCancel:
  // leaseDurationSeconds 1, the transitions kept) so that a standby replica takes over at once.
  // holds_now() is false afterwards whatever the answer.
  void release();

 private:
  std::chrono::steady_clock::time_point now() const;
  std::string lease_path() const;
  // PUTs or POSTs `record`; the answer's resourceVersion when it was stored, the status otherwise.
  struct Written {
    bool stored = false;
    int http_status = 0;
    std::string resource_version;
    std::string failure;  // ApiResponse::describe() when not stored
  };
  Written write(const web::http::method& method, const std::string& resource_version,
                const LeaseRecord& record);
  // Records what we wrote, as client-go's setObservedRecord does after a successful update.
  void observe_own_write(const LeaseRecord& record, const std::string& resource_version,
                         std::chrono::steady_clock::time_point at);

  ApiClient& client_;
  const LeaseOptions options_;

  mutable std::mutex mutex_;  // guards the members below
  std::optional<LeaseRecord> observed_;
  std::chrono::steady_clock::time_point observed_at_{};
  std::string own_resource_version_;  // of our last successful write, for release()
  std::optional<std::chrono::steady_clock::time_point> held_from_;
};

}  // namespace epc
