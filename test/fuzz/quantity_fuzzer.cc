// libFuzzer target: parse_quantity on arbitrary text, and format_bytes on arbitrary integers.
//
// Invariants beyond "no crash, no UB" (UBSan catches signed overflow in the exact arithmetic):
// a parsed value formats and parses back to itself (format_bytes promises that), a value and its
// sign-flipped text agree, and an accepted input never parses differently twice.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "model/quantity.h"
#include "test/fuzz/fuzz_check.h"

namespace epc::fuzz {
namespace {

void check_round_trip(int64_t value) {
  const std::string text = format_bytes(value);
  Result<int64_t> back = parse_quantity(text);
  check(back.ok(), "format_bytes output must parse");
  check(*back == value, "format_bytes must round-trip through parse_quantity");
}

void check_sign_flip(std::string_view text, int64_t value) {
  // An unsigned text's value is at most INT64_MAX, so its negation is always representable.
  if (text.empty() || text[0] == '+' || text[0] == '-') return;
  Result<int64_t> negated = parse_quantity("-" + std::string(text));
  check(negated.ok(), "a parsed magnitude must also parse negated");
  check(*negated == -value, "a leading '-' must negate the value");
  Result<int64_t> plus = parse_quantity("+" + std::string(text));
  check(plus.ok() && *plus == value, "a leading '+' must not change the value");
}

}  // namespace
}  // namespace epc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace epc;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<int64_t> parsed = parse_quantity(text);
  if (parsed) {
    fuzz::check_round_trip(*parsed);
    fuzz::check_sign_flip(text, *parsed);
    Result<int64_t> again = parse_quantity(text);
    fuzz::check(again.ok() && *again == *parsed, "parsing must be deterministic");
  } else {
    fuzz::check(!parsed.error().message.empty(), "a refused quantity must say why");
  }
  // The raw bytes as an integer too, so format_bytes sees every corner (INT64_MIN, 2^63-1024, ...).
  if (size >= sizeof(int64_t)) {
    int64_t value = 0;
    std::memcpy(&value, data, sizeof value);
    fuzz::check_round_trip(value);
  }
  return 0;
}
