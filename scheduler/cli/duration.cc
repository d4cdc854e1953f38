#include "scheduler/cli/duration.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>

namespace epc {
namespace {

struct Unit {
  std::string_view name;
  int64_t milliseconds;
};

// "ms" before "m", so the longest name matches.
constexpr std::array<Unit, 4> kUnits{{{"ms", 1}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}}};

// Up to 15 whole digits leave room to scale to milliseconds; longer is no duration anyone means.
constexpr size_t kMaxWholeDigits = 15;
// A millisecond is the precision: further fraction digits are read past and dropped.
constexpr size_t kMaxFractionDigits = 9;

Error invalid(std::string_view text, std::string_view why) {
  return Error{"invalid duration \"" + std::string(text) + "\": " + std::string(why) +
               " (examples: 30s, 2m, 1m30s, 1.5s, 250ms)"};
}

struct Digits {
  int64_t value = 0;  // of the first `kept` digits
  size_t kept = 0;
  size_t count = 0;
};

// The digits at `at`, advancing past all of them.
Digits read_digits(std::string_view text, size_t& at, size_t keep) {
  Digits digits;
  for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
    if (digits.count++ < keep) {
      digits.value = digits.value * 10 + (text[at] - '0');
      ++digits.kept;
    }
  }
  return digits;
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return invalid(text, "empty");
  int64_t total = 0;
  size_t at = 0;
  while (at < text.size()) {
    const Digits whole = read_digits(text, at, kMaxWholeDigits);
    Digits fraction;
    if (at < text.size() && text[at] == '.') fraction = read_digits(text, ++at, kMaxFractionDigits);
    if (whole.count == 0 && fraction.count == 0) return invalid(text, "expected a number");
    if (whole.count > kMaxWholeDigits) return invalid(text, "too large");
    int64_t fraction_scale = 1;
    for (size_t i = 0; i < fraction.kept; ++i) fraction_scale *= 10;
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(at).starts_with(candidate.name)) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) return invalid(text, "expected a unit (h, m, s or ms) after the number");
    at += unit->name.size();
    if (whole.value + 1 > (std::numeric_limits<int64_t>::max() - total) / unit->milliseconds) {
      return invalid(text, "too large");
    }
    total +=
        whole.value * unit->milliseconds + fraction.value * unit->milliseconds / fraction_scale;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds duration) {
  const int64_t ms = duration.count();
  if (ms == 0) return "0s";
  if (ms % 1000 != 0 && ms < 1000) return std::to_string(ms) + "ms";
  std::string text;
  const int64_t hours = ms / 3'600'000;
  const int64_t minutes = ms / 60'000 % 60;
  const int64_t millis = ms % 60'000;
  if (hours > 0) text += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) text += std::to_string(minutes) + "m";
  std::string seconds = std::to_string(millis / 1000);
  if (millis % 1000 != 0) {
    std::string decimals = std::to_string(1000 + millis % 1000).substr(1);
    while (decimals.back() == '0') decimals.pop_back();
    seconds += "." + decimals;
  }
  return text + seconds + "s";
}

}  // namespace epc
