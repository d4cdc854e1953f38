#include "model/quantity.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "model/int128.h"

namespace epc {
namespace {

constexpr Int128 kMaxPositive = std::numeric_limits<int64_t>::max();
constexpr Int128 kMaxNegativeMagnitude = kMaxPositive + 1;
// Any value with this many integer digits exceeds int64 (whose maximum has 19 digits).
constexpr int64_t kOutOfRangeDigits = 20;
// Exponents are clamped here: far beyond any digit count a real input can carry, so clamping
// never changes a verdict, yet sums of clamped exponents and digit counts cannot overflow int64.
constexpr int64_t kExponentClamp = 1'000'000'000'000'000;

struct Lexed {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;
  std::string_view suffix;
};

// value = digits × 10^pow10 × 2^pow2.
struct Scale {
  int64_t pow10 = 0;
  int pow2 = 0;
};

Error invalid(std::string_view text, std::string_view why) {
  return make_error("invalid quantity \"" + std::string(text) + "\": " + std::string(why));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view take_digits(std::string_view text, size_t& pos) {
  const size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  return text.substr(start, pos - start);
}

Result<Lexed> lex(std::string_view text) {
  if (text.empty()) return invalid(text, "empty");
  Lexed lexed;
  size_t pos = 0;
  if (text[0] == '+' || text[0] == '-') {
    lexed.negative = text[0] == '-';
    ++pos;
  }
  lexed.integer = take_digits(text, pos);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    lexed.fraction = take_digits(text, pos);
  }
  // Kubernetes reads a digitless number ("Ki", "-", ".") as 0; for a resource request that is
  // a typo, not an intent, so it is refused.
  if (lexed.integer.empty() && lexed.fraction.empty()) return invalid(text, "no digits");
  lexed.suffix = text.substr(pos);
  if (!lexed.suffix.empty() && lexed.suffix[0] == '.') {
    return invalid(text, "more than one decimal point");
  }
  return lexed;
}

std::optional<Scale> named_suffix(std::string_view suffix) {
  static constexpr std::array<std::pair<std::string_view, Scale>, 16> kSuffixes{{
      {"Ki", {0, 10}},
      {"Mi", {0, 20}},
      {"Gi", {0, 30}},
      {"Ti", {0, 40}},
      {"Pi", {0, 50}},
      {"Ei", {0, 60}},
      {"n", {-9, 0}},
      {"u", {-6, 0}},
      {"m", {-3, 0}},
      {"", {0, 0}},
      {"k", {3, 0}},
      {"M", {6, 0}},
      {"G", {9, 0}},
      {"T", {12, 0}},
      {"P", {15, 0}},
      {"E", {18, 0}},
  }};
  for (const auto& [name, scale] : kSuffixes) {
    if (name == suffix) return scale;
  }
  return std::nullopt;
}

// "e3", "E-2", "e+6": a signed decimal exponent; its magnitude saturates at kExponentClamp.
std::optional<int64_t> decimal_exponent(std::string_view suffix) {
  if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return std::nullopt;
  size_t pos = 1;
  bool negative = false;
  if (suffix[pos] == '+' || suffix[pos] == '-') {
    negative = suffix[pos] == '-';
    ++pos;
  }
  const std::string_view digits = take_digits(suffix, pos);
  if (digits.empty() || pos != suffix.size()) return std::nullopt;
  int64_t magnitude = 0;
  for (const char c : digits) {
    magnitude = std::min(kExponentClamp, magnitude * 10 + (c - '0'));
  }
  return negative ? -magnitude : magnitude;
}

Result<Scale> interpret_suffix(std::string_view text, std::string_view suffix) {
  if (auto scale = named_suffix(suffix)) return *scale;
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    if (auto exponent = decimal_exponent(suffix)) return Scale{*exponent, 0};
    return invalid(text, "invalid exponent \"" + std::string(suffix) + "\"");
  }
  return invalid(text, "unknown suffix \"" + std::string(suffix) + "\"");
}

// Divides a decimal digit string by 5 in place; false when there is a remainder.
bool divide_by_5(std::string& digits) {
  int remainder = 0;
  for (char& c : digits) {
    const int current = remainder * 10 + (c - '0');
    c = static_cast<char>('0' + current / 5);
    remainder = current % 5;
  }
  const size_t first = digits.find_first_not_of('0');
  digits.erase(0, first == std::string::npos ? digits.size() : first);
  return remainder == 0;
}

// Callers guarantee the digits fit (at most 38).
Int128 to_int128(std::string_view digits) {
  Int128 value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

Int128 pow10(int64_t exponent) {
  Int128 value = 1;
  for (int64_t i = 0; i < exponent; ++i) value *= 10;
  return value;
}

// The exact magnitude of significant × 10^pow10 × 2^pow2, or an error when it is not a whole
// number or exceeds `limit`. `significant` has no leading or trailing zeros.
Result<Int128> exact_magnitude(std::string_view text, std::string significant, int64_t pow10_exp,
                               int pow2, Int128 limit) {
  const auto digits = static_cast<int64_t>(significant.size());
  if (digits + pow10_exp >= kOutOfRangeDigits) return invalid(text, "out of range");
  Int128 magnitude = 0;
  if (pow10_exp >= 0) {
    // digits + pow10_exp <= 19, so this is below 10^19, and below 2^124 after the shift.
    magnitude = (to_int128(significant) * pow10(pow10_exp)) << pow2;
  } else {
    // significant ends in a non-zero digit, so a whole result needs 5^k | significant (making it
    // odd) and hence k <= pow2.
    const int64_t k = -pow10_exp;
    if (k > pow2) return invalid(text, "not a whole number");
    for (int64_t i = 0; i < k; ++i) {
      if (!divide_by_5(significant)) return invalid(text, "not a whole number");
    }
    // significant < 10^(19 + k) before the division, so the quotient is below 10^19 × 2^k.
    const Int128 quotient = to_int128(significant);
    const int shift = pow2 - static_cast<int>(k);
    if (quotient > (limit >> shift)) return invalid(text, "out of range");
    magnitude = quotient << shift;
  }
  if (magnitude > limit) return invalid(text, "out of range");
  return magnitude;
}

}  // namespace

Result<int64_t> parse_quantity(std::string_view text) {
  auto lexed = lex(text);
  if (!lexed) return lexed.error();
  auto scale = interpret_suffix(text, lexed->suffix);
  if (!scale) return scale.error();

  std::string significant = std::string(lexed->integer) + std::string(lexed->fraction);
  int64_t pow10_exp = -static_cast<int64_t>(lexed->fraction.size());
  const size_t first = significant.find_first_not_of('0');
  if (first == std::string::npos) return int64_t{0};
  significant.erase(0, first);
  const size_t last = significant.find_last_not_of('0');
  pow10_exp += static_cast<int64_t>(significant.size() - 1 - last);
  significant.erase(last + 1);
  pow10_exp += scale->pow10;

  const Int128 limit = lexed->negative ? kMaxNegativeMagnitude : kMaxPositive;
  auto magnitude = exact_magnitude(text, std::move(significant), pow10_exp, scale->pow2, limit);
  if (!magnitude) return magnitude.error();
  return static_cast<int64_t>(lexed->negative ? -*magnitude : *magnitude);
}

std::string format_bytes(int64_t bytes) {
  static constexpr std::array<std::string_view, 7> kSuffixes{"",   "Ki", "Mi", "Gi",
                                                             "Ti", "Pi", "Ei"};
  if (bytes == 0) return "0";
  // Work on the magnitude as unsigned so that INT64_MIN has one too.
  const bool negative = bytes < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(bytes) : static_cast<uint64_t>(bytes);
  size_t suffix = 0;
  while (suffix + 1 < kSuffixes.size() && magnitude % 1024 == 0) {
    magnitude /= 1024;
    ++suffix;
  }
  return (negative ? "-" : "") + std::to_string(magnitude) + std::string(kSuffixes[suffix]);
}

}  // namespace epc
