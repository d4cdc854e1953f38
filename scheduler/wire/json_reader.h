// The small JSON-reading vocabulary on top of simdjson On-Demand: paths for error messages, typed
// reads, object and array walks, whole-document parsing, and a pool of reusable parsers.
//
// A successful read builds no strings: the path is a chain of stack frames rendered only when an
// error is reported. On-Demand validates UTF-8 and the structure of everything it walks, but the
// text of a skipped scalar (an ignored `"x": tru`) is not checked. That is the price of not parsing
// what we do not use; Kubernetes' own serialiser never produces such text.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/result.h"

namespace epc {

// Parsers keep their buffers (several bytes per input byte) between documents, which is what makes
// them fast: a fresh parser for a 4.5 MB request spends most of its time faulting in new pages.
// The pool lends one parser per concurrent request and keeps at most `max_idle` of them, dropping
// any that grew beyond `max_retained_bytes` of input capacity, so one huge request does not pin
// memory for the life of the process.
class JsonParserPool {
 public:
  class Lease {
   public:
    Lease(JsonParserPool& pool, std::unique_ptr<simdjson::ondemand::parser> parser)
        : pool_(&pool), parser_(std::move(parser)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (parser_) pool_->give_back(std::move(parser_));
    }
    simdjson::ondemand::parser& operator*() const { return *parser_; }

   private:
    JsonParserPool* pool_;
    std::unique_ptr<simdjson::ondemand::parser> parser_;
  };

  explicit JsonParserPool(size_t max_idle = 8, size_t max_retained_bytes = 64u << 20)
      : max_idle_(max_idle), max_retained_bytes_(max_retained_bytes) {}

  Lease acquire();

 private:
  void give_back(std::unique_ptr<simdjson::ondemand::parser> parser);

  const size_t max_idle_;
  const size_t max_retained_bytes_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<simdjson::ondemand::parser>> idle_;
};

using JsonValue = simdjson::ondemand::value;
using JsonObject = simdjson::ondemand::object;

// Where a value sits in a document, for error messages: a chain of frames that live on the stack of
// the readers descending into the document. A child must not outlive its parent.
class JsonPath {
 public:
  // The document itself; `label` names it in a message about the document as a whole.
  explicit JsonPath(std::string_view label) : label_(label) {}

  JsonPath key(std::string_view name) const { return JsonPath(this, name, kNoIndex); }
  JsonPath index(size_t position) const { return JsonPath(this, {}, position); }

  // `Pod.spec.containers[0].resources.requests["sgx.intel.com/epc"]`; the label alone for the root.
  std::string str() const;

 private:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);

  JsonPath(const JsonPath* parent, std::string_view key, size_t index)
      : parent_(parent), label_(key), index_(index) {}

  void append_to(std::string& out) const;

  const JsonPath* parent_ = nullptr;
  std::string_view label_;  // the root's label, or a child's key
  size_t index_ = kNoIndex;
};

// `<path>: <what>`.
Error error_at(const JsonPath& at, std::string_view what);
// A simdjson failure at `at`, e.g. `Nodes.items[2]: invalid JSON: ...`.
Error json_error(const JsonPath& at, simdjson::error_code code);
// `<path>: expected <expected>, got <type> <value>` (the value echoed for scalars).
Error type_error(const JsonPath& at, std::string_view expected, JsonValue& value);

// `text` without trailing JSON whitespace.
std::string_view trim_right(std::string_view text);
// A raw token for a message: at most 64 bytes, never splitting a UTF-8 sequence.
std::string echo(std::string_view token);

// ASCII-case-insensitive key comparison.
bool keys_equal(std::string_view key, std::string_view canonical);

// True (and the value consumed) when `value` is JSON null.
Result<bool> read_null(JsonValue& value, const JsonPath& at);
// Typed reads; null reads as the empty/zero value.
Result<std::string> read_string(JsonValue& value, const JsonPath& at);
Result<int64_t> read_int64(JsonValue& value, const JsonPath& at);
Result<int32_t> read_int32(JsonValue& value, const JsonPath& at);
Result<bool> read_bool(JsonValue& value, const JsonPath& at);
// read_string into `target`, for field tables that pick the target by key.
Result<void> read_string_into(JsonValue& value, const JsonPath& at, std::string& target);

// Calls `on_field(key, value, path)` -> Result<void> for each field of the object, in document
// order, stopping at the first error. Null is an object without fields.
template <class OnField>
Result<void> read_fields(JsonObject& object, const JsonPath& at, OnField&& on_field) {
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return json_error(at, error);
    const JsonPath field_at = at.key(key);
    JsonValue value;
    if (auto error = field.value().get(value)) return json_error(field_at, error);
    if (Result<void> done = on_field(key, value, field_at); !done) return done;
  }
  return {};
}

Result<bool> open_object(JsonValue& value, const JsonPath& at, JsonObject& object);

template <class OnField>
Result<void> read_object(JsonValue& value, const JsonPath& at, OnField&& on_field) {
  JsonObject object;
  Result<bool> present = open_object(value, at, object);
  if (!present) return present.error();
  if (!*present) return {};
  return read_fields(object, at, std::forward<OnField>(on_field));
}

// Calls `on_element(index, value, path)` -> Result<void> for each element. Null is an empty array.
template <class OnElement>
Result<void> read_array(JsonValue& value, const JsonPath& at, OnElement&& on_element) {
  Result<bool> null = read_null(value, at);
  if (!null) return null.error();
  if (*null) return {};
  simdjson::ondemand::array array;
  if (value.get_array().get(array)) return type_error(at, "an array", value);
  size_t index = 0;
  for (auto element : array) {
    const JsonPath element_at = at.index(index);
    JsonValue item;
    if (auto error = element.get(item)) return json_error(element_at, error);
    if (Result<void> done = on_element(index, item, element_at); !done) return done;
    ++index;
  }
  return {};
}

// Parses a whole document whose root must be an object and hands that object to
// `on_root(object, path)`, which must read it to its end. `padded_body` must have SIMDJSON_PADDING
// spare capacity (see pad_body in extender_codec.h). `label` names the document in messages
// (`empty body`, `body: expected an object, got array`). Content after the root value is an error.
using RootReader = std::function<Result<void>(JsonObject&, const JsonPath&)>;
Result<void> parse_document(JsonParserPool& parsers, const std::string& padded_body,
                            std::string_view label, const RootReader& on_root);

// parse_document for the common case: `on_field(key, value, path)` for each field of the root.
template <class OnField>
Result<void> read_document_fields(JsonParserPool& parsers, const std::string& padded_body,
                                  std::string_view label, OnField&& on_field) {
  return parse_document(parsers, padded_body, label, [&](JsonObject& root, const JsonPath& at) {
    return read_fields(root, at, on_field);
  });
}

}  // namespace epc
