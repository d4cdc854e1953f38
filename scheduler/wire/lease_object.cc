#include "scheduler/wire/lease_object.h"

#include <cstdio>
#include <ctime>
#include <string_view>
#include <utility>

#include "scheduler/wire/json_reader.h"
#include "scheduler/wire/json_writer.h"
#include "scheduler/wire/rfc3339.h"

namespace epc {
namespace {

Result<void> read_time(JsonValue& value, const JsonPath& at, std::string& target) {
  Result<std::string> text = read_string(value, at);
  if (!text) return text.error();
  if (!text->empty()) {
    Result<int64_t> seconds = parse_rfc3339(*text);
    if (!seconds) return error_at(at, seconds.error().message);
  }
  target = std::move(*text);
  return {};
}

Result<void> read_int_into(JsonValue& value, const JsonPath& at, int32_t& target) {
  Result<int32_t> number = read_int32(value, at);
  if (!number) return number.error();
  target = *number;
  return {};
}

Result<void> read_record(JsonValue& value, const JsonPath& at, LeaseRecord& record) {
  return read_object(value, at,
                     [&](std::string_view key, JsonValue& field, const JsonPath& field_at) {
                       if (keys_equal(key, "holderIdentity")) {
                         return read_string_into(field, field_at, record.holder_identity);
                       }
                       if (keys_equal(key, "leaseDurationSeconds")) {
                         return read_int_into(field, field_at, record.lease_duration_seconds);
                       }
                       if (keys_equal(key, "acquireTime"))
                         return read_time(field, field_at, record.acquire_time);
                       if (keys_equal(key, "renewTime"))
                         return read_time(field, field_at, record.renew_time);
                       if (keys_equal(key, "leaseTransitions")) {
                         return read_int_into(field, field_at, record.lease_transitions);
                       }
                       return Result<void>{};
                     });
}

}  // namespace

Result<LeaseObject> read_lease(const std::string& padded_json) {
  JsonParserPool parsers(1);
  LeaseObject lease;
  Result<void> done = read_document_fields(
      parsers, padded_json, "Lease",
      [&](std::string_view key, JsonValue& value, const JsonPath& at) -> Result<void> {
        if (keys_equal(key, "metadata")) {
          return read_object(
              value, at, [&](std::string_view name, JsonValue& field, const JsonPath& field_at) {
                if (!keys_equal(name, "resourceVersion")) return Result<void>{};
                return read_string_into(field, field_at, lease.resource_version);
              });
        }
        if (keys_equal(key, "spec")) return read_record(value, at, lease.record);
        return {};
      });
  if (!done) return done.error();
  if (lease.resource_version.empty()) return make_error("metadata.resourceVersion: missing");
  return lease;
}

std::string encode_lease(const std::string& lease_namespace, const std::string& name,
                         const std::string& resource_version, const LeaseRecord& record) {
  std::string out = R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":)";
  append_json_string(out, name);
  out += R"(,"namespace":)";
  append_json_string(out, lease_namespace);
  if (!resource_version.empty()) {
    out += R"(,"resourceVersion":)";
    append_json_string(out, resource_version);
  }
  out += R"(},"spec":{"holderIdentity":)";
  append_json_string(out, record.holder_identity);
  out += R"(,"leaseDurationSeconds":)" + std::to_string(record.lease_duration_seconds);
  if (!record.acquire_time.empty()) {
    out += R"(,"acquireTime":)";
    append_json_string(out, record.acquire_time);
  }
  if (!record.renew_time.empty()) {
    out += R"(,"renewTime":)";
    append_json_string(out, record.renew_time);
  }
  out += R"(,"leaseTransitions":)" + std::to_string(record.lease_transitions) + "}}";
  return out;
}

std::string format_micro_time(std::chrono::system_clock::time_point at) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  // Floor division, so that a time before 1970 keeps a fraction in [0, 1 s).
  int64_t seconds = micros / 1000000;
  int64_t fraction = micros % 1000000;
  if (fraction < 0) {
    fraction += 1000000;
    seconds -= 1;
  }
  const std::time_t whole = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char text[96];  // room for any int year, so that the compiler can prove no truncation
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(fraction));
  return text;
}

}  // namespace epc
