// Standard base64 (RFC 4648, with padding) decoding for the `*-data` fields of kubeconfig files.
//
// Written here rather than borrowed so that a bad value is reported with its position instead of a
// library exception. Whitespace is skipped, as Go's decoder for kubeconfig bytes does with
// newlines.
#pragma once

#include <string>
#include <string_view>

#include "model/result.h"

namespace epc {

// Errors name the offending character and its offset, e.g. `invalid base64: '*' at offset 4`.
Result<std::string> decode_base64(std::string_view text);

}  // namespace epc
