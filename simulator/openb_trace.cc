#include "simulator/openb_trace.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "model/int128.h"

namespace epc {
namespace {

struct Table {
  std::vector<std::string> header;
  std::vector<std::pair<size_t, std::vector<std::string>>> rows;  // (line number, fields)
};

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.emplace_back(line.substr(start, comma == line.npos ? line.npos : comma - start));
    if (comma == line.npos) return fields;
    start = comma + 1;
  }
}

std::string location(std::string_view source, size_t line) {
  return std::string(source) + ":" + std::to_string(line) + ": ";
}

// Every row has the header's width, or the table is refused naming the first row that has not.
Result<Table> read_table(std::string_view csv, std::string_view source) {
  Table table;
  size_t start = 0;
  size_t number = 0;
  while (start < csv.size()) {
    const size_t newline = csv.find('\n', start);
    std::string_view line = csv.substr(start, newline == csv.npos ? csv.npos : newline - start);
    start = newline == csv.npos ? csv.size() : newline + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (table.header.empty()) {
      table.header = split(line);
    } else {
      std::vector<std::string> row = split(line);
      if (row.size() != table.header.size()) {
        return make_error(location(source, number) + "expected " +
                          std::to_string(table.header.size()) + " fields");
      }
      table.rows.emplace_back(number, std::move(row));
    }
  }
  return table;
}

// Column positions by name, so column order does not matter.
Result<std::map<std::string, size_t>> columns(const Table& table, std::string_view source,
                                              std::initializer_list<const char*> needed) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < table.header.size(); ++i) index[table.header[i]] = i;
  for (const char* name : needed) {
    if (!index.contains(name)) {
      return make_error(std::string(source) + ": missing column \"" + name + "\"");
    }
  }
  return index;
}

Result<int64_t> integer(const std::vector<std::string>& row, size_t column, const char* name) {
  const std::string& text = column < row.size() ? row[column] : std::string();
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    return make_error(std::string(name) + " \"" + text + "\" is not a non-negative integer");
  }
  return value;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<std::vector<NodeSpec>> parse_openb_nodes(std::string_view csv, std::string_view source,
                                                const OpenbMapping& mapping) {
  Result<Table> read = read_table(csv, source);
  if (!read) return read.error();
  const Table& table = *read;
  auto index = columns(table, source, {"sn", "cpu_milli", "memory_mib", "gpu", "model"});
  if (!index) return index.error();
  std::vector<NodeSpec> nodes;
  for (const auto& [line, row] : table.rows) {
    const std::string where = location(source, line);
    Result<int64_t> cpu = integer(row, index->at("cpu_milli"), "cpu_milli");
    Result<int64_t> memory = integer(row, index->at("memory_mib"), "memory_mib");
    Result<int64_t> gpu = integer(row, index->at("gpu"), "gpu");
    for (const Result<int64_t>* field : {&cpu, &memory, &gpu}) {
      if (!*field) return make_error(where + field->error().message);
    }
    const std::string& model = row[index->at("model")];
    NodeSpec node;
    node.name = row[index->at("sn")];
    node.pool = *gpu > 0 ? "openb-" + (model.empty() ? std::string("gpu") : model) : "openb-cpu";
    node.epc_bytes = *gpu * mapping.epc_per_device;
    node.cpu_milli = *cpu;
    node.memory_bytes = *memory << 20;
    node.labels = {{"pool", node.pool}};
    nodes.push_back(std::move(node));
  }
  return nodes;
}

Result<Trace> parse_openb_pods(std::string_view csv, std::string_view source,
                               const OpenbMapping& mapping) {
  Result<Table> read = read_table(csv, source);
  if (!read) return read.error();
  const Table& table = *read;
  auto index = columns(table, source,
                       {"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "creation_time",
                        "deletion_time"});
  if (!index) return index.error();
  Trace trace;
  for (const auto& [line, row] : table.rows) {
    const std::string where = location(source, line);
    Result<int64_t> cpu = integer(row, index->at("cpu_milli"), "cpu_milli");
    Result<int64_t> memory = integer(row, index->at("memory_mib"), "memory_mib");
    Result<int64_t> devices = integer(row, index->at("num_gpu"), "num_gpu");
    Result<int64_t> share = integer(row, index->at("gpu_milli"), "gpu_milli");
    Result<int64_t> created = integer(row, index->at("creation_time"), "creation_time");
    for (const Result<int64_t>* field : {&cpu, &memory, &devices, &share, &created}) {
      if (!*field) return make_error(where + field->error().message);
    }
    TracePod pod;
    pod.namespace_name = "openb";
    pod.name = row[index->at("name")];
    pod.arrival_seconds = static_cast<double>(*created);
    if (!row[index->at("deletion_time")].empty()) {
      Result<int64_t> deleted = integer(row, index->at("deletion_time"), "deletion_time");
      if (!deleted) return make_error(where + deleted.error().message);
      if (*deleted < *created) return make_error(where + "deletion_time before creation_time");
      pod.duration_seconds = static_cast<double>(*deleted - *created);
    }
    const Int128 milli_bytes = static_cast<Int128>(*devices) * *share * mapping.epc_per_device;
    pod.epc_bytes = static_cast<int64_t>((milli_bytes + 999) / 1000);
    pod.cpu_milli = *cpu;
    pod.memory_bytes = *memory << 20;
    trace.push_back(std::move(pod));
  }
  std::stable_sort(trace.begin(), trace.end(), [](const TracePod& a, const TracePod& b) {
    return a.arrival_seconds < b.arrival_seconds;
  });
  return trace;
}

Result<OpenbWorkload> load_openb(const std::string& directory, const OpenbMapping& mapping) {
  const std::string node_path = directory + "/" + kOpenbNodeFile;
  const std::string pod_path = directory + "/" + kOpenbPodFile;
  Result<std::string> node_text = read_file(node_path);
  if (!node_text) return node_text.error();
  Result<std::string> pod_text = read_file(pod_path);
  if (!pod_text) return pod_text.error();
  Result<std::vector<NodeSpec>> nodes = parse_openb_nodes(*node_text, node_path, mapping);
  if (!nodes) return nodes.error();
  Result<Trace> trace = parse_openb_pods(*pod_text, pod_path, mapping);
  if (!trace) return trace.error();
  return OpenbWorkload{std::move(*nodes), std::move(*trace)};
}

}  // namespace epc
