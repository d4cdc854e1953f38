#include "scheduler/log/log_line.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "scheduler/log/secret_scrubber.h"

namespace epc {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// The length of the well-formed UTF-8 sequence starting text[at] (Unicode table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
size_t utf8_sequence_length(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;  // the range of the second byte; later ones are always 80..BF
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

void append_hex_escape(std::string& out, std::string_view prefix, unsigned char c, int digits) {
  char hex[8];
  std::snprintf(hex, sizeof(hex), "%0*x", digits, c);
  out.append(prefix);
  out.append(hex);
}

enum class Dialect { kJson, kGo };

// `text` between double quotes: valid UTF-8 kept, invalid bytes as U+FFFD, control characters
// escaped (`\u001b` in JSON, `\x1b` as Go quotes them).
void append_quoted(std::string& out, std::string_view text, Dialect dialect) {
  const std::string scrubbed = scrub_secrets(text);
  out.push_back('"');
  for (size_t at = 0; at < scrubbed.size();) {
    const size_t length = utf8_sequence_length(scrubbed, at);
    if (length == 0) {
      out.append(kReplacement);
      ++at;
      continue;
    }
    if (length > 1) {
      out.append(scrubbed, at, length);
      at += length;
      continue;
    }
    const auto c = static_cast<unsigned char>(scrubbed[at++]);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          if (dialect == Dialect::kJson) {
            append_hex_escape(out, "\\u", c, 4);
          } else {
            append_hex_escape(out, "\\x", c, 2);
          }
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

// Text-format keys and components stay bare words: anything but [A-Za-z0-9_.-/] becomes '_'.
void append_bare(std::string& out, std::string_view word) {
  for (const char c : word) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == '-' || c == '/';
    out.push_back(plain ? c : '_');
  }
}

template <class Number>
void append_number(std::string& out, Number value) {
  char digits[32];
  const auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, error == std::errc() ? end : digits);
}

void append_double(std::string& out, double value, Dialect dialect) {
  if (std::isfinite(value)) {
    append_number(out, value);
  } else if (dialect == Dialect::kJson) {
    out.append("null");
  } else {
    out.append(std::isnan(value) ? "NaN" : (value > 0 ? "+Inf" : "-Inf"));
  }
}

void append_value(std::string& out, const LogField::Value& value, Dialect dialect) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          append_quoted(out, v, dialect);
        } else if constexpr (std::is_same_v<T, bool>) {
          out.append(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          append_double(out, v, dialect);
        } else {
          append_number(out, v);
        }
      },
      value);
}

struct BrokenDownTime {
  std::tm calendar{};
  long microseconds = 0;
};

BrokenDownTime utc(std::chrono::system_clock::time_point time) {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch());
  auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  BrokenDownTime broken;
  broken.microseconds = static_cast<long>((since_epoch - seconds).count());
  const std::time_t whole = static_cast<std::time_t>(seconds.count());
  gmtime_r(&whole, &broken.calendar);
  return broken;
}

std::string json_line(const LogRecord& record) {
  const BrokenDownTime t = utc(record.time);
  char ts[48];
  std::snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", t.calendar.tm_year + 1900,
                t.calendar.tm_mon + 1, t.calendar.tm_mday, t.calendar.tm_hour, t.calendar.tm_min,
                t.calendar.tm_sec, t.microseconds);
  std::string out = "{\"ts\":\"";
  out.append(ts);
  out.append("\",\"level\":\"");
  out.append(to_string(record.level));
  out.append("\",\"component\":");
  append_quoted(out, record.component, Dialect::kJson);
  out.append(",\"msg\":");
  append_quoted(out, record.message, Dialect::kJson);
  for (const LogField& field : record.fields) {
    out.push_back(',');
    append_quoted(out, field.key, Dialect::kJson);
    out.push_back(':');
    append_value(out, field.value, Dialect::kJson);
  }
  out.append("}\n");
  return out;
}

char level_letter(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 'D';
    case LogLevel::kInfo:
      return 'I';
    case LogLevel::kWarning:
      return 'W';
    case LogLevel::kError:
      return 'E';
  }
  return '?';
}

std::string text_line(const LogRecord& record) {
  const BrokenDownTime t = utc(record.time);
  char header[64];
  std::snprintf(header, sizeof(header), "%c%02d%02d %02d:%02d:%02d.%06ld %7d ",
                level_letter(record.level), t.calendar.tm_mon + 1, t.calendar.tm_mday,
                t.calendar.tm_hour, t.calendar.tm_min, t.calendar.tm_sec, t.microseconds,
                record.pid);
  std::string out = header;
  append_bare(out, record.component);
  out.append("] ");
  append_quoted(out, record.message, Dialect::kGo);
  for (const LogField& field : record.fields) {
    out.push_back(' ');
    append_bare(out, field.key);
    out.push_back('=');
    append_value(out, field.value, Dialect::kGo);
  }
  out.push_back('\n');
  return out;
}

}  // namespace

std::string format_log_line(LogFormat format, const LogRecord& record) {
  return format == LogFormat::kJson ? json_line(record) : text_line(record);
}

}  // namespace epc
