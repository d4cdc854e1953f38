#include "scheduler/wire/json_writer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace epc {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 if it is not one.
size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  size_t length = 0;
  uint8_t min_second = 0x80, max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < min_second || byte(i + 1) > max_second) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

void append_escaped_control(std::string& out, char c) {
  switch (c) {
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const auto byte = static_cast<uint8_t>(c);
  out += "\\u00";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xF];
}

bool needs_no_escape(uint8_t byte) {
  return byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\';
}

// Whether none of the 8 bytes at `p` needs escaping, tested a word at a time (SWAR): filter
// replies are mostly long plain-ASCII reasons, and a byte-by-byte scan dominated encoding.
bool plain_word(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101u;
  constexpr uint64_t kHighs = 0x8080808080808080u;
  uint64_t word = 0;
  std::memcpy(&word, p, sizeof word);
  // A byte is zero in `x` iff its high bit is set in the result (exact when no byte of x
  // exceeds 0x80, which holds once non-ASCII words are excluded).
  const auto has_zero = [](uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  if ((word & kHighs) != 0) return false;                             // non-ASCII: UTF-8 checks
  if ((((word - kOnes * 0x20) & ~word) & kHighs) != 0) return false;  // a control byte
  return !has_zero(word ^ (kOnes * '"')) && !has_zero(word ^ (kOnes * '\\'));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one append: most text is plain ASCII.
    size_t run = i;
    while (run + 8 <= text.size() && plain_word(text.data() + run)) run += 8;
    while (run < text.size() && needs_no_escape(static_cast<uint8_t>(text[run]))) ++run;
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const char c = text[i];
    if (static_cast<uint8_t>(c) >= 0x80) {
      const size_t length = utf8_sequence_length(text, i);
      if (length == 0) {
        out += kReplacement;
        ++i;
      } else {
        out.append(text.data() + i, length);
        i += length;
      }
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
      ++i;
    } else {
      append_escaped_control(out, c);
      ++i;
    }
  }
  out += '"';
}

void append_json_string_map(
    std::string& out, const std::vector<std::pair<std::string_view, std::string_view>>& entries) {
  using Entry = std::pair<std::string_view, std::string_view>;
  std::vector<const Entry*> sorted;
  sorted.reserve(entries.size());
  for (const Entry& entry : entries) sorted.push_back(&entry);
  // Stable, so that among equal keys the last entry is the last of its run.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Entry* a, const Entry* b) { return a->first < b->first; });
  // Where in `out` the last few distinct values were written, escaped: a filter's reply has a
  // handful of distinct reasons, so a short list finds nearly every repeat.
  struct Escaped {
    std::string_view value;
    size_t at = 0;
    size_t size = 0;
  };
  constexpr size_t kRemembered = 8;
  std::array<Escaped, kRemembered> escaped{};
  size_t remembered = 0;
  const auto append_value = [&](std::string_view value) {
    for (size_t k = 0; k < std::min(remembered, kRemembered); ++k) {
      const Escaped& seen = escaped[k];
      if (seen.value.data() == value.data() && seen.value.size() == value.size()) {
        out.reserve(out.size() + seen.size);  // so that the copy's source stays where it is
        out.append(out.data() + seen.at, seen.size);
        return;
      }
    }
    const size_t at = out.size();
    append_json_string(out, value);
    escaped[remembered++ % kRemembered] = {value, at, out.size() - at};
  };
  out += '{';
  bool first = true;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < sorted.size() && sorted[i + 1]->first == sorted[i]->first) continue;
    if (!first) out += ',';
    first = false;
    append_json_string(out, sorted[i]->first);
    out += ':';
    append_value(sorted[i]->second);
  }
  out += '}';
}

}  // namespace epc
