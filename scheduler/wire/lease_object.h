// A coordination.k8s.io/v1 Lease as leader election reads and writes it: the holder, its term,
// the times it took and last renewed the lease, how often the lease changed hands, and the
// resourceVersion that makes every update conditional.
//
// Only one replica of the extender may run consolidation; the replicas agree on which through one
// Lease, as client-go's leaderelection package does (scheduler/kube/leader_lease.h). The record
// fields are those of client-go's LeaderElectionRecord as LeaseLock stores them in LeaseSpec.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "model/result.h"

namespace epc {

// spec of a Lease. Times are metav1.MicroTime text kept as read, so that a renewal can send back
// acquireTime unchanged and two reads compare equal exactly when the record did not change.
struct LeaseRecord {
  std::string holder_identity;  // "" when nobody holds the lease
  int32_t lease_duration_seconds = 0;
  std::string acquire_time;  // "" when absent
  std::string renew_time;    // "" when absent
  int32_t lease_transitions = 0;

  bool operator==(const LeaseRecord&) const = default;
};

struct LeaseObject {
  std::string resource_version;
  LeaseRecord record;
};

// Reads metadata.resourceVersion and spec of a Lease. `padded_json` must be padded with pad_body
// (scheduler/wire/extender_codec.h). Times must be RFC 3339; errors name the path, e.g.
// `spec.renewTime: invalid RFC 3339 time "yesterday": ...`.
Result<LeaseObject> read_lease(const std::string& padded_json);

// The whole Lease for a POST (`resource_version` empty: omitted) or a PUT (`resource_version`
// set: the API server refuses it with 409 unless it is still the current one). Empty times are
// left out, as a nil *MicroTime is.
std::string encode_lease(const std::string& lease_namespace, const std::string& name,
                         const std::string& resource_version, const LeaseRecord& record);

// metav1.MicroTime as it is serialised: RFC 3339 in UTC with six fractional digits,
// "2026-12-06T14:13:18.123456Z".
std::string format_micro_time(std::chrono::system_clock::time_point at);

}  // namespace epc
