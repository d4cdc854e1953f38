// Scoring configs written inline in tests: the apiVersion/kind header and the two ways a test reads
// a body (it must parse, or it must fail with a message), shared by the config tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "config/scoring_config.h"

namespace epc::test {

inline const std::string kConfigHeader =
    "apiVersion: epc-extender.io/v1alpha1\nkind: ScoringConfig\n";

// The config of header + `body`; a parse error fails the test and gives the defaults.
inline ScoringConfig parsed_config(const std::string& body) {
  Result<ScoringConfig> config = parse_config(kConfigHeader + body);
  EXPECT_TRUE(config.ok()) << config.error().message;
  return config.ok() ? *config : ScoringConfig{};
}

// The error of header + `body`; a body that parses fails the test and gives "".
inline std::string config_error(const std::string& body) {
  const Result<ScoringConfig> config = parse_config(kConfigHeader + body);
  EXPECT_FALSE(config.ok()) << body;
  return config.ok() ? std::string() : config.error().message;
}

}  // namespace epc::test
