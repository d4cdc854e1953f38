// A reader of Prometheus text expositions, for tests: finds a sample by metric name and a subset of
// its labels, so tests assert values without depending on label order or on other series.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epc::test {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

std::vector<Sample> parse_exposition(std::string_view text);

// The value of the one sample named `name` whose labels include `labels`; nullopt when there is
// none. More than one match is a test error and also yields nullopt.
std::optional<double> sample_value(std::string_view exposition, std::string_view name,
                                   const std::map<std::string, std::string>& labels = {});

}  // namespace epc::test
