#include "scheduler/kube/base64.h"

#include <array>
#include <cstdint>

namespace epc {
namespace {

constexpr int kInvalid = -1;

constexpr std::array<int, 256> make_table() {
  std::array<int, 256> table{};
  for (int& entry : table) entry = kInvalid;
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  }
  return table;
}

constexpr std::array<int, 256> kTable = make_table();

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string describe(char c, size_t offset) {
  return "invalid base64: '" + std::string(1, c) + "' at offset " + std::to_string(offset);
}

}  // namespace

Result<std::string> decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  int pending = 0;  // sextets in `bits`
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_space(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return make_error(describe(c, i) + " (after padding)");
    const int value = kTable[static_cast<unsigned char>(c)];
    if (value == kInvalid) return make_error(describe(c, i));
    bits = (bits << 6) | static_cast<uint32_t>(value);
    if (++pending == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xff));
      out.push_back(static_cast<char>((bits >> 8) & 0xff));
      out.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
      pending = 0;
    }
  }
  if (pending == 1 || padding > 2 || (pending == 0 && padding > 0) ||
      (pending > 0 && padding > 0 && pending + padding != 4)) {
    return make_error("invalid base64: truncated input of " + std::to_string(text.size()) +
                      " bytes");
  }
  if (pending == 2) {
    out.push_back(static_cast<char>((bits >> 4) & 0xff));
  } else if (pending == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xff));
    out.push_back(static_cast<char>((bits >> 2) & 0xff));
  }
  return out;
}

}  // namespace epc
