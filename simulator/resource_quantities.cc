#include "simulator/resource_quantities.h"

#include <string>

#include "model/quantity.h"

namespace epc {
namespace {

Result<int64_t> non_negative(Result<int64_t> value, std::string_view text) {
  if (!value) return value;
  if (*value < 0) return make_error("\"" + std::string(text) + "\" is negative");
  return value;
}

bool is_plain_decimal(std::string_view text) {
  return text.find_first_not_of("+-0123456789.") == std::string_view::npos;
}

}  // namespace

Result<int64_t> parse_cpu_milli(std::string_view text) {
  Result<int64_t> value = make_error("");
  if (text.ends_with('m')) {
    value = parse_quantity(text.substr(0, text.size() - 1));
  } else if (is_plain_decimal(text)) {
    // An exponent scales exactly: "1.5e3" is 1500 millicores.
    value = parse_quantity(std::string(text) + "e3");
  } else {
    value = parse_quantity(text);
    if (value) value = *value * 1000;
  }
  if (!value) return make_error("\"" + std::string(text) + "\" is not a cpu quantity");
  return non_negative(std::move(value), text);
}

Result<int64_t> parse_bytes(std::string_view text) {
  Result<int64_t> value = parse_quantity(text);
  if (!value) return make_error("\"" + std::string(text) + "\" is not a quantity");
  return non_negative(std::move(value), text);
}

}  // namespace epc
