// ConsolidateOptions: what `epc-extender consolidate` was asked to do, as plain values.
//
// The command line (scheduler/cli) fills it and the command (consolidate_command.h) acts on it;
// like SimulateOptions it is header-only so the CLI can parse into it without linking the command.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace epc {

enum class PlanFormat { kTable, kJson };

struct ConsolidateOptions {
  // Where the cluster comes from, as for serve: a kubectl List file, the API through a kubeconfig,
  // or (neither) the in-cluster service account. The two flags exclude each other.
  std::optional<std::string> cluster_file;
  std::optional<std::string> kubeconfig;
  std::optional<std::string> config_file;  // the scoring config; none: built-in defaults
  PlanFormat format = PlanFormat::kTable;
  // --now: the time pods' ages are measured against (Unix seconds); none: the clock. For plans that
  // must not change from one day to the next (tests, the docs' examples).
  std::optional<int64_t> now_unix_seconds;
};

}  // namespace epc
