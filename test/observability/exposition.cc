#include "exposition.h"

#include <cstdlib>

namespace epc::test {
namespace {

// `k="v",k2="v2"` (no escapes: the tests' label values have none).
std::map<std::string, std::string> parse_labels(std::string_view text) {
  std::map<std::string, std::string> labels;
  while (!text.empty()) {
    const size_t equals = text.find('=');
    const size_t open = text.find('"', equals);
    const size_t close = text.find('"', open + 1);
    if (equals == std::string_view::npos || open == std::string_view::npos ||
        close == std::string_view::npos) {
      break;
    }
    labels.emplace(std::string(text.substr(0, equals)),
                   std::string(text.substr(open + 1, close - open - 1)));
    text.remove_prefix(close + 1);
    if (!text.empty() && text.front() == ',') text.remove_prefix(1);
  }
  return labels;
}

}  // namespace

std::vector<Sample> parse_exposition(std::string_view text) {
  std::vector<Sample> samples;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    Sample sample;
    const size_t brace = line.find('{');
    const size_t space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    if (brace != std::string_view::npos && brace < space) {
      sample.name = line.substr(0, brace);
      const size_t close = line.rfind('}');
      sample.labels = parse_labels(line.substr(brace + 1, close - brace - 1));
    } else {
      sample.name = line.substr(0, space);
    }
    sample.value = std::strtod(std::string(line.substr(space + 1)).c_str(), nullptr);
    samples.push_back(std::move(sample));
  }
  return samples;
}

std::optional<double> sample_value(std::string_view exposition, std::string_view name,
                                   const std::map<std::string, std::string>& labels) {
  std::optional<double> found;
  for (const Sample& sample : parse_exposition(exposition)) {
    if (sample.name != name) continue;
    bool matches = true;
    for (const auto& [key, value] : labels) {
      const auto it = sample.labels.find(key);
      matches = matches && it != sample.labels.end() && it->second == value;
    }
    if (!matches) continue;
    if (found) return std::nullopt;
    found = sample.value;
  }
  return found;
}

}  // namespace epc::test
