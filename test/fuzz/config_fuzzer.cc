// libFuzzer target: the scoring-config loader (parse_config) on arbitrary YAML/JSON text.
//
// Beyond "no crash, no UB, no leak" in our validation code and yaml-cpp under it: an accepted
// config printed by format_config parses back, and printing that gives the same text
// (config_printer.h promises the output "parses back to the same config"); a refused one says why.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config_printer.h"
#include "config/scoring_config.h"
#include "test/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace epc;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<ScoringConfig> config = parse_config(text);
  if (!config) {
    fuzz::check(!config.error().message.empty(), "a refused config must say why");
    return 0;
  }
  const std::string printed = format_config(*config);
  Result<ScoringConfig> reparsed = parse_config(printed);
  fuzz::check(reparsed.ok(), "format_config output must parse");
  fuzz::check(same_resources(reparsed->resources, config->resources),
              "printing must keep the EPC resources");
  fuzz::check(format_config(*reparsed) == printed, "format_config must be a fixed point");
  return 0;
}
