#include "scheduler/wire/json_reader.h"

#include <algorithm>
#include <limits>
#include <string>

namespace epc {

std::string_view trim_right(std::string_view text);
std::string echo(std::string_view token);

namespace {

using simdjson::ondemand::json_type;

// Scalars echoed in messages are cut here: enough to recognise the value, not a whole payload.
constexpr size_t kMaxEcho = 64;

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  const auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!alpha(key.front())) return false;
  return std::all_of(key.begin(), key.end(), [&](char c) { return alpha(c) || digit(c); });
}

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view type_name(json_type type) {
  switch (type) {
    case json_type::array:
      return "array";
    case json_type::object:
      return "object";
    case json_type::number:
      return "number";
    case json_type::string:
      return "string";
    case json_type::boolean:
      return "boolean";
    case json_type::null:
      return "null";
  }
  return "unknown";
}

std::string describe(json_type type, std::string_view raw_token) {
  std::string text(type_name(type));
  if (type != json_type::array && type != json_type::object && type != json_type::null) {
    text += ' ';
    text += echo(raw_token);
  }
  return text;
}

// On-Demand types a token by its first byte, so `nul`, `tru` or `not json` arrive as null or
// boolean; name them as the malformed JSON they are.
bool is_malformed_literal(json_type type, std::string_view raw_token) {
  const std::string_view token = trim_right(raw_token);
  if (type == json_type::null) return token != "null";
  if (type == json_type::boolean) return token != "true" && token != "false";
  return false;
}

Error unexpected_value(const JsonPath& at, std::string_view expected, json_type type,
                       std::string_view raw_token) {
  if (is_malformed_literal(type, raw_token)) {
    return error_at(at, "invalid JSON: unexpected " + echo(raw_token));
  }
  return error_at(at, "expected " + std::string(expected) + ", got " + describe(type, raw_token));
}

// A failed typed read: the wrong type gets a type error, anything else is malformed JSON.
Error read_failure(const JsonPath& at, std::string_view expected, JsonValue& value,
                   simdjson::error_code code) {
  if (code == simdjson::INCORRECT_TYPE) return type_error(at, expected, value);
  return json_error(at, code);
}

Result<int64_t> read_integer(JsonValue& value, const JsonPath& at, std::string_view expected,
                             int64_t min, int64_t max) {
  Result<bool> null = read_null(value, at);
  if (!null) return null.error();
  if (*null) return int64_t{0};
  int64_t number = 0;
  if (auto error = value.get_int64().get(number)) {
    // Fractions, exponents and integers beyond int64 all land here with the number echoed.
    if (error == simdjson::NUMBER_OUT_OF_RANGE || error == simdjson::NUMBER_ERROR) {
      return type_error(at, expected, value);
    }
    return read_failure(at, expected, value, error);
  }
  if (number < min || number > max) {
    return error_at(at,
                    "expected " + std::string(expected) + ", got number " + std::to_string(number));
  }
  return number;
}

}  // namespace

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && is_json_space(text.back())) text.remove_suffix(1);
  return text;
}

// The first kMaxEcho bytes, not splitting a UTF-8 sequence.
std::string echo(std::string_view token) {
  token = trim_right(token);
  if (token.size() <= kMaxEcho) return std::string(token);
  size_t cut = kMaxEcho;
  while (cut > 0 && (static_cast<unsigned char>(token[cut]) & 0xC0) == 0x80) --cut;
  return std::string(token.substr(0, cut)) + "...";
}

std::string JsonPath::str() const {
  if (parent_ == nullptr) return std::string(label_);
  std::string out;
  append_to(out);
  return out;
}

void JsonPath::append_to(std::string& out) const {
  if (parent_ == nullptr) return;  // the root's label names only the document as a whole
  parent_->append_to(out);
  if (index_ != kNoIndex) {
    out += '[';
    out += std::to_string(index_);
    out += ']';
  } else if (is_identifier(label_)) {
    if (!out.empty()) out += '.';
    out += label_;
  } else {
    out += '[';
    append_quoted(out, label_);
    out += ']';
  }
}

Error error_at(const JsonPath& at, std::string_view what) {
  return make_error(at.str() + ": " + std::string(what));
}

Error json_error(const JsonPath& at, simdjson::error_code code) {
  return error_at(at, "invalid JSON: " + std::string(simdjson::error_message(code)));
}

Error type_error(const JsonPath& at, std::string_view expected, JsonValue& value) {
  json_type type;
  if (auto error = value.type().get(type)) return json_error(at, error);
  return unexpected_value(at, expected, type, value.raw_json_token());
}

bool keys_equal(std::string_view key, std::string_view canonical) {
  const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  return key.size() == canonical.size() &&
         std::equal(key.begin(), key.end(), canonical.begin(),
                    [&](char a, char b) { return lower(a) == lower(b); });
}

Result<bool> read_null(JsonValue& value, const JsonPath& at) {
  bool null = false;
  if (auto error = value.is_null().get(null)) return json_error(at, error);
  return null;
}

Result<std::string> read_string(JsonValue& value, const JsonPath& at) {
  Result<bool> null = read_null(value, at);
  if (!null) return null.error();
  if (*null) return std::string();
  std::string_view text;
  if (auto error = value.get_string().get(text)) return read_failure(at, "a string", value, error);
  return std::string(text);
}

Result<int64_t> read_int64(JsonValue& value, const JsonPath& at) {
  return read_integer(value, at, "an int64", std::numeric_limits<int64_t>::min(),
                      std::numeric_limits<int64_t>::max());
}

Result<int32_t> read_int32(JsonValue& value, const JsonPath& at) {
  Result<int64_t> number = read_integer(value, at, "an int32", std::numeric_limits<int32_t>::min(),
                                        std::numeric_limits<int32_t>::max());
  if (!number) return number.error();
  return static_cast<int32_t>(*number);
}

Result<void> read_string_into(JsonValue& value, const JsonPath& at, std::string& target) {
  Result<std::string> text = read_string(value, at);
  if (!text) return text.error();
  target = std::move(*text);
  return {};
}

Result<bool> read_bool(JsonValue& value, const JsonPath& at) {
  Result<bool> null = read_null(value, at);
  if (!null) return null.error();
  if (*null) return false;
  bool flag = false;
  if (auto error = value.get_bool().get(flag)) return read_failure(at, "a boolean", value, error);
  return flag;
}

Result<bool> open_object(JsonValue& value, const JsonPath& at, JsonObject& object) {
  Result<bool> null = read_null(value, at);
  if (!null) return null.error();
  if (*null) return false;
  if (auto error = value.get_object().get(object)) {
    return read_failure(at, "an object", value, error);
  }
  return true;
}

JsonParserPool::Lease JsonParserPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto parser = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(parser));
    }
  }
  return Lease(*this, std::make_unique<simdjson::ondemand::parser>());
}

void JsonParserPool::give_back(std::unique_ptr<simdjson::ondemand::parser> parser) {
  if (parser->capacity() > max_retained_bytes_) return;
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(parser));
}

Result<void> parse_document(JsonParserPool& parsers, const std::string& padded_body,
                            std::string_view label, const RootReader& on_root) {
  const JsonPath root(label);
  if (padded_body.capacity() < padded_body.size() + simdjson::SIMDJSON_PADDING) {
    return error_at(root, "internal error: not padded for the JSON parser (see pad_body)");
  }
  const JsonParserPool::Lease parser = parsers.acquire();
  simdjson::ondemand::document document;
  const simdjson::padded_string_view input(padded_body.data(), padded_body.size(),
                                           padded_body.capacity());
  if (auto error = (*parser).iterate(input).get(document)) {
    if (error == simdjson::EMPTY) return make_error("empty " + std::string(label));
    return json_error(root, error);
  }
  JsonObject object;
  if (auto error = document.get_object().get(object)) {
    json_type type;
    if (error != simdjson::INCORRECT_TYPE || document.type().get(type)) {
      return json_error(root, error);
    }
    std::string_view token;
    if (document.raw_json_token().get(token)) token = {};
    return unexpected_value(root, "an object", type, token);
  }
  if (Result<void> done = on_root(object, root); !done) return done;
  // Unlike Go's json.Decoder, which kube-scheduler uses to read our replies and which stops after
  // the first value, a server must not: a body with two values is malformed, and acting on the
  // first could mean acting on a request the sender did not make.
  const char* rest = nullptr;
  if (!document.current_location().get(rest)) {
    return error_at(
        root, "unexpected content after the JSON value at byte " +
                  std::to_string(rest - padded_body.data()) + ": " +
                  echo(std::string_view(rest, padded_body.data() + padded_body.size() - rest)));
  }
  return {};
}

}  // namespace epc
