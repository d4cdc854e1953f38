// Who this replica is, for the consolidation lease: its identity and the namespace it runs in.
//
// Only one replica may act, and the Lease that decides it names the holder. The name must be unique
// among replicas and across restarts of one (a restarted pod must not take over its predecessor's
// unexpired hold as if it were its own), so it is the pod's name plus a random suffix, as
// client-go's leader election examples build theirs (hostname + "_" + a UUID). The Lease lives in
// the extender's own namespace, which its Role already covers.
#pragma once

#include <string>

namespace epc {

// $POD_NAME (the chart sets it from the downward API), else the host name, then "_" and 16 random
// hex digits.
std::string replica_identity();

// $POD_NAMESPACE, else the service account's namespace file, else "default".
std::string replica_namespace(
    const std::string& namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace");

}  // namespace epc
