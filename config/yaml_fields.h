// Typed, path-aware reading of yaml-cpp nodes for the scoring config: every reader reports a
// problem naming the key path (`strategy.ratio.shape[2].score`) and echoing the value, and keeps
// going, so that one run of `epc-extender config check` lists every mistake in a file.
//
// yaml-cpp throws on conversions; these readers catch at the call and turn the failure into a
// problem, as the project's errors-as-values rule asks.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/choices.h"

namespace epc {

// Accumulates problems instead of stopping at the first.
class Problems {
 public:
  void add(std::string message) { messages_.push_back(std::move(message)); }
  void add(const std::string& path, const std::string& message) { add(path + ": " + message); }
  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }
  std::string joined() const;  // one problem per line

 private:
  std::vector<std::string> messages_;
};

// "a.b" / "a[2]": the paths problems are reported under.
std::string child_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, size_t index);

// How a value is echoed in a problem: "\"text\"", "a mapping", "a sequence", "null".
std::string describe(const YAML::Node& node);

// A mapping, else a problem ("must be a mapping, got ...").
bool expect_map(const YAML::Node& node, const std::string& path, Problems& problems);
bool expect_sequence(const YAML::Node& node, const std::string& path, Problems& problems);

// Keys of `map` not in `known` are problems (`path.key: unknown key`), and so are repeated keys.
void reject_unknown_keys(const YAML::Node& map, const std::string& path,
                         std::span<const std::string_view> known, Problems& problems);

std::optional<std::string> read_string(const YAML::Node& node, const std::string& path,
                                       Problems& problems);
// An integer in [min, max]: "must be an integer in 0..10, got 11".
std::optional<int64_t> read_integer(const YAML::Node& node, const std::string& path, int64_t min,
                                    int64_t max, Problems& problems);
// A non-negative Kubernetes quantity ("4Gi", or a bare integer) as an exact integer.
std::optional<int64_t> read_quantity(const YAML::Node& node, const std::string& path,
                                     Problems& problems);
// true or false (YAML's plain booleans): "must be true or false, got \"yes please\"".
std::optional<bool> read_bool(const YAML::Node& node, const std::string& path, Problems& problems);
// A duration in whole seconds written as Go and kubectl write them, integers with units h, m, s in
// that order ("10m", "1h30m", "45s"), within [min, max] seconds: "must be a duration such as 10m
// or 1h30m, got \"10\"".
std::optional<int64_t> read_duration(const YAML::Node& node, const std::string& path,
                                     int64_t min_seconds, int64_t max_seconds, Problems& problems);
std::optional<std::vector<std::string>> read_string_list(const YAML::Node& node,
                                                         const std::string& path,
                                                         Problems& problems);

// One of `choices` by name: "must be one of a, b; got \"c\"".
template <class T, size_t N>
std::optional<T> read_choice(const YAML::Node& node, const std::string& path,
                             const std::array<std::pair<std::string_view, T>, N>& choices,
                             Problems& problems) {
  if (node.IsScalar()) {
    for (const auto& [name, value] : choices) {
      if (node.Scalar() == name) return value;
    }
  }
  const auto name_of = [](const auto& choice) { return choice.first; };
  problems.add(path, must_be_one_of(join_names(choices, name_of), describe(node)));
  return std::nullopt;
}

}  // namespace epc
