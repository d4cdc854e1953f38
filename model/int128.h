// Int128: the 128-bit integer the model uses for exact intermediate arithmetic on byte counts.
//
// Sums and cross products of int64 byte counts cannot overflow it, which keeps quantity parsing,
// demand sums and utilization comparisons exact without a big-number library. `__extension__`
// marks the GCC/Clang builtin as intended under -Wpedantic.
#pragma once

namespace epc {

__extension__ typedef __int128 Int128;

}  // namespace epc
