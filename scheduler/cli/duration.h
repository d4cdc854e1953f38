// parse_duration: reads a duration flag the way Kubernetes components write them (Go's
// time.ParseDuration): "30s", "2m", "1m30s", "1.5s", "250ms", "0".
//
// Operators copy these values between kube-scheduler's, kubelet's and this extender's flags, so
// they take the same spelling. Units: h, m, s, ms; no sign (every duration here is a length of
// time to wait). Precision is a millisecond.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "model/result.h"

namespace epc {

Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// "30s", "2m0s", "1.5s", "250ms": a form parse_duration reads back.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace epc
