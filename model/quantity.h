// Kubernetes resource quantities ("64Mi", "1.5Gi", "1e3", "500m") as exact 64-bit integers.
//
// EPC and every other extended resource must be a whole number of units, so unlike
// resource.Quantity's Value() (which rounds up) this parser refuses fractional results and overflow
// instead of approximating: an EPC ledger that rounds can over-commit. Grammar as in
// k8s.io/apimachinery/pkg/api/resource: optional sign, digits with optional fraction, then a binary
// SI suffix (Ki..Ei), a decimal SI suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent
// (e3, E-2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/result.h"

namespace epc {

// Parses `text` to an exact integer. Errors echo the input, e.g.
// `invalid quantity "100m": not a whole number`, `invalid quantity "8Ei": out of range`. Unlike
// Kubernetes, a number without digits ("Ki", ".") is refused rather than read as 0.
Result<int64_t> parse_quantity(std::string_view text);

// Formats a byte count for messages: the largest binary suffix that divides it exactly ("64Mi",
// "1536Ki"), else plain bytes ("1000"). Round-trips through parse_quantity.
std::string format_bytes(int64_t bytes);

}  // namespace epc
