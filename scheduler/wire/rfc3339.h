// RFC 3339 timestamps as Kubernetes writes them (metav1.Time: metadata.creationTimestamp), read
// into Unix seconds.
//
// Consolidation leaves young pods alone (consolidation.minPodAge), so it needs each pod's age; the
// API server writes times in UTC with second precision ("2026-12-06T14:13:18Z"), and Go's
// time.Parse(time.RFC3339, ...), which metav1.Time's UnmarshalJSON calls, also takes fractional
// seconds and numeric offsets. Both are accepted here; anything else is an error that echoes the
// text.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/result.h"

namespace epc {

// Seconds since 1970-01-01T00:00:00Z; fractions of a second are dropped (towards the past).
Result<int64_t> parse_rfc3339(std::string_view text);

}  // namespace epc
