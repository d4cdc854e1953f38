// Trace: the pods a simulation replays, each with its arrival time, how long it runs once placed,
// and its requests, read from (and written to) a documented CSV file.
//
//   arrival_seconds,duration_seconds,namespace,name,priority,epc,cpu,memory
//   0,3600,team-a,enclave-0,0,256Mi,500m,1Gi
//   12.5,,team-b,web-1,0,0,1,2Gi
//
// Times are seconds (decimals allowed); an empty duration means the pod runs to the end of the
// simulation. Quantities are Kubernetes quantities; epc 0 (or empty) is a pod without EPC. Lines
// starting with '#' and blank lines are skipped. Errors name the file and line:
// `trace.csv:12: cpu "x" is not a cpu quantity`.
//
// JSON Lines (a file ending in .jsonl) carries the same fields, one object per line, quantities as
// strings or numbers, duration null or absent for "runs to the end":
//   {"arrival_seconds": 0, "duration_seconds": 3600, "namespace": "team-a", "name": "enclave-0",
//    "epc": "256Mi", "cpu": "500m", "memory": "1Gi"}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.h"

namespace epc {

inline constexpr std::string_view kTraceHeader =
    "arrival_seconds,duration_seconds,namespace,name,priority,epc,cpu,memory";

struct TracePod {
  double arrival_seconds = 0;
  std::optional<double> duration_seconds;  // none: runs to the end
  std::string namespace_name;
  std::string name;
  int32_t priority = 0;
  int64_t epc_bytes = 0;
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
  // epc-extender.io/ annotations (per-pod overrides of the scoring config), JSON Lines traces only.
  std::vector<std::pair<std::string, std::string>> annotations;

  bool needs_epc() const { return epc_bytes > 0; }
};

// Pods in arrival order (stable for equal times: file order).
using Trace = std::vector<TracePod>;

// `source` names the document in errors.
Result<Trace> parse_trace_csv(std::string_view text, std::string_view source);
Result<Trace> parse_trace_jsonl(std::string_view text, std::string_view source);
// By the name: JSON Lines for ".jsonl", CSV otherwise.
Result<Trace> load_trace(const std::string& path);

// The CSV form, header first; parse_trace_csv reads it back unchanged.
std::string write_trace_csv(const Trace& trace);

}  // namespace epc
