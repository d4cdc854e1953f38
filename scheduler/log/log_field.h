// LogField: one key and value of a structured log line (`pod="default/p1"`, `nodes_passing=3`).
//
// A field only borrows its key and string value: fields are written out within the log call that
// names them, so `logger.log(..., {{"pod", decision.pod_key()}})` is safe while the temporary
// lives. The value keeps its type so that JSON lines carry numbers and booleans as such.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace epc {

struct LogField {
  using Value = std::variant<std::string_view, int64_t, uint64_t, double, bool>;

  LogField(std::string_view key, std::string_view value) : key(key), value(value) {}
  LogField(std::string_view key, const std::string& value)
      : key(key), value(std::string_view(value)) {}
  LogField(std::string_view key, const char* value) : key(key), value(std::string_view(value)) {}
  LogField(std::string_view key, bool value) : key(key), value(value) {}
  LogField(std::string_view key, double value) : key(key), value(value) {}
  template <std::signed_integral T>
  requires(!std::same_as<T, bool>) LogField(std::string_view key, T value)
      : key(key), value(static_cast<int64_t>(value)) {}
  template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>) LogField(std::string_view key, T value)
      : key(key), value(static_cast<uint64_t>(value)) {}

  std::string_view key;
  Value value;
};

}  // namespace epc
