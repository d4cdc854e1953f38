#include "simulator/trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model/pod.h"
#include "model/quantity.h"
#include "simulator/resource_quantities.h"

namespace epc {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(
        line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

Result<double> parse_seconds(std::string_view text, std::string_view field) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value) || value < 0) {
    return make_error(std::string(field) + " " + quoted(text) +
                      " is not a non-negative number of seconds");
  }
  return value;
}

Result<int32_t> parse_priority(std::string_view text) {
  if (text.empty()) return 0;
  int32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return make_error("priority " + quoted(text) + " is not a 32-bit integer");
  }
  return value;
}

Result<int64_t> quantity_field(std::string_view text, std::string_view field, bool cpu) {
  if (text.empty()) return int64_t{0};
  Result<int64_t> value = cpu ? parse_cpu_milli(text) : parse_bytes(text);
  if (!value) return make_error(std::string(field) + " " + value.error().message);
  return value;
}

Result<TracePod> parse_row(const std::vector<std::string_view>& raw) {
  std::vector<std::string_view> f;
  for (std::string_view field : raw) f.push_back(trim(field));
  TracePod pod;
  Result<double> arrival = parse_seconds(f[0], "arrival_seconds");
  if (!arrival) return arrival.error();
  pod.arrival_seconds = *arrival;
  if (!f[1].empty()) {
    Result<double> duration = parse_seconds(f[1], "duration_seconds");
    if (!duration) return duration.error();
    pod.duration_seconds = *duration;
  }
  pod.namespace_name = f[2].empty() ? "default" : std::string(f[2]);
  if (f[3].empty()) return make_error("name is empty");
  pod.name = std::string(f[3]);
  Result<int32_t> priority = parse_priority(f[4]);
  if (!priority) return priority.error();
  pod.priority = *priority;
  Result<int64_t> epc = quantity_field(f[5], "epc", false);
  if (!epc) return epc.error();
  Result<int64_t> cpu = quantity_field(f[6], "cpu", true);
  if (!cpu) return cpu.error();
  Result<int64_t> memory = quantity_field(f[7], "memory", false);
  if (!memory) return memory.error();
  pod.epc_bytes = *epc;
  pod.cpu_milli = *cpu;
  pod.memory_bytes = *memory;
  return pod;
}

std::string format_seconds(double seconds) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, seconds);
  return error == std::errc() ? std::string(buffer, end) : "0";
}

std::string format_cpu(int64_t milli) {
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

void sort_by_arrival(Trace& trace) {
  std::stable_sort(trace.begin(), trace.end(), [](const TracePod& a, const TracePod& b) {
    return a.arrival_seconds < b.arrival_seconds;
  });
}

constexpr std::array<std::string_view, 8> kFieldNames = {
    "arrival_seconds", "duration_seconds", "namespace", "name", "priority", "epc", "cpu", "memory"};

// One JSON Lines object: the CSV row it stands for (numbers as their text, null or absent empty)
// and the pod's annotations, which only this form carries.
struct JsonlRow {
  std::vector<std::string> fields;
  std::vector<std::pair<std::string, std::string>> annotations;
};

// "annotations": {"epc-extender.io/strategy": "spread"}. As the extender's decoders do, only keys
// under epc-extender.io/ are kept; values must be strings, as in Kubernetes.
Result<void> read_annotations(const nlohmann::json& value,
                              std::vector<std::pair<std::string, std::string>>& out) {
  if (!value.is_object()) return make_error("annotations: expected an object of strings");
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) return make_error("annotations: " + key + ": expected a string");
    if (key.starts_with(kPodAnnotationPrefix)) out.emplace_back(key, text.get<std::string>());
  }
  return {};
}

Result<JsonlRow> jsonl_fields(std::string_view line) {
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
  if (object.is_discarded() || !object.is_object()) return make_error("not a JSON object");
  JsonlRow row;
  std::vector<std::string>& fields = row.fields;
  fields.resize(kFieldNames.size());
  for (const auto& [key, value] : object.items()) {
    if (key == "annotations") {
      if (Result<void> read = read_annotations(value, row.annotations); !read) return read.error();
      continue;
    }
    const auto known = std::find(kFieldNames.begin(), kFieldNames.end(), key);
    if (known == kFieldNames.end()) return make_error("unknown key \"" + key + "\"");
    if (value.is_null()) continue;
    if (!value.is_string() && !value.is_number()) {
      return make_error(key + ": expected a string or a number");
    }
    fields[known - kFieldNames.begin()] =
        value.is_string() ? value.get<std::string>() : value.dump();
  }
  return row;
}

// Calls `row(line, where)` for each non-empty, non-comment line; `where` is "source:N: " for
// messages. Stops at the first error `row` returns.
template <class Row>
Result<void> for_each_line(std::string_view text, std::string_view source, Row&& row) {
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t newline = text.find('\n', start);
    const std::string_view line =
        trim(text.substr(start, newline == text.npos ? text.npos : newline - start));
    start = newline == text.npos ? text.size() : newline + 1;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const std::string where = std::string(source) + ":" + std::to_string(line_number) + ": ";
    if (Result<void> done = row(line, where); !done) return done;
  }
  return {};
}

Result<void> add_row(Trace& trace, const std::vector<std::string_view>& fields,
                     const std::string& where) {
  Result<TracePod> pod = parse_row(fields);
  if (!pod) return make_error(where + pod.error().message);
  trace.push_back(std::move(*pod));
  return {};
}

}  // namespace

Result<Trace> parse_trace_csv(std::string_view text, std::string_view source) {
  Trace trace;
  bool header_seen = false;
  Result<void> read =
      for_each_line(text, source, [&](std::string_view line, const std::string& where) {
        if (!header_seen) {
          if (line != kTraceHeader) {
            return Result<void>(
                make_error(where + "expected the header \"" + std::string(kTraceHeader) + "\""));
          }
          header_seen = true;
          return Result<void>();
        }
        const std::vector<std::string_view> fields = split_fields(line);
        if (fields.size() != 8) {
          return Result<void>(
              make_error(where + "expected 8 fields, got " + std::to_string(fields.size())));
        }
        return add_row(trace, fields, where);
      });
  if (!read) return read.error();
  if (!header_seen) return make_error(std::string(source) + ": empty trace (no header)");
  sort_by_arrival(trace);
  return trace;
}

Result<Trace> parse_trace_jsonl(std::string_view text, std::string_view source) {
  Trace trace;
  Result<void> read =
      for_each_line(text, source, [&](std::string_view line, const std::string& where) {
        Result<JsonlRow> row = jsonl_fields(line);
        if (!row) return Result<void>(make_error(where + row.error().message));
        const std::vector<std::string_view> views(row->fields.begin(), row->fields.end());
        Result<void> added = add_row(trace, views, where);
        if (added) trace.back().annotations = std::move(row->annotations);
        return added;
      });
  if (!read) return read.error();
  sort_by_arrival(trace);
  return trace;
}

Result<Trace> load_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  if (path.ends_with(".jsonl")) return parse_trace_jsonl(text.str(), path);
  return parse_trace_csv(text.str(), path);
}

std::string write_trace_csv(const Trace& trace) {
  std::string out = std::string(kTraceHeader) + "\n";
  for (const TracePod& pod : trace) {
    out += format_seconds(pod.arrival_seconds) + ",";
    if (pod.duration_seconds) out += format_seconds(*pod.duration_seconds);
    out += "," + pod.namespace_name + "," + pod.name + "," + std::to_string(pod.priority) + "," +
           format_bytes(pod.epc_bytes) + "," + format_cpu(pod.cpu_milli) + "," +
           format_bytes(pod.memory_bytes) + "\n";
  }
  return out;
}

}  // namespace epc
