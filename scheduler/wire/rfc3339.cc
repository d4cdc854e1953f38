#include "scheduler/wire/rfc3339.h"

#include <chrono>
#include <string>

namespace epc {
namespace {

// Reads exactly `width` digits at `pos`; false when they are not all digits.
bool read_digits(std::string_view text, size_t& pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += width;
  return true;
}

bool expect(std::string_view text, size_t& pos, char wanted) {
  if (pos >= text.size()) return false;
  const char c = text[pos];
  // RFC 3339 allows a lowercase t between date and time, and so does Go.
  if (c != wanted && !(wanted == 'T' && c == 't')) return false;
  ++pos;
  return true;
}

}  // namespace

Result<int64_t> parse_rfc3339(std::string_view text) {
  const auto invalid = [&](std::string_view why) {
    return make_error("invalid RFC 3339 time \"" + std::string(text) + "\": " + std::string(why));
  };
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, month) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, day)) {
    return invalid("expected a date YYYY-MM-DD");
  }
  if (!expect(text, pos, 'T') || !read_digits(text, pos, 2, hour) || !expect(text, pos, ':') ||
      !read_digits(text, pos, 2, minute) || !expect(text, pos, ':') ||
      !read_digits(text, pos, 2, second)) {
    return invalid("expected a time THH:MM:SS after the date");
  }
  if (pos < text.size() && text[pos] == '.') {
    const size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return invalid("expected digits after the decimal point");
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos++] == '-' ? -1 : 1;
    int offset_hours = 0, offset_rest = 0;
    if (!read_digits(text, pos, 2, offset_hours) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, offset_rest) || offset_hours > 23 || offset_rest > 59) {
      return invalid("expected a UTC offset +HH:MM");
    }
    offset_minutes = sign * (offset_hours * 60 + offset_rest);
  } else {
    return invalid("expected Z or a UTC offset after the time");
  }
  if (pos != text.size()) return invalid("unexpected text after the time");

  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return invalid("no such date");
  // 60 is a leap second, which Go's time.Parse accepts too; it reads as the next second.
  if (hour > 23 || minute > 59 || second > 60) return invalid("no such time of day");
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second - int64_t{offset_minutes} * 60;
}

}  // namespace epc
