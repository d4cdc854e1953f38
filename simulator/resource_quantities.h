// Quantities of the simulator's inputs: cpu in millicores and memory/EPC in bytes, read from
// Kubernetes quantity text ("500m", "1.5", "64Mi") with model/quantity's exact parser.
//
// The model's parser refuses fractions (EPC must be whole bytes); cpu is fractional in cores but
// whole in millicores, so it is scaled before parsing rather than rounded after.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/result.h"

namespace epc {

// "2" → 2000, "500m" → 500, "1.5" → 1500, "0.0001" is an error (not whole millicores). Negative
// values are errors. Errors are bare reasons, for the caller to prefix with where.
Result<int64_t> parse_cpu_milli(std::string_view text);
// Bytes ("64Mi", "1G", "0"); negative values are errors.
Result<int64_t> parse_bytes(std::string_view text);

}  // namespace epc
