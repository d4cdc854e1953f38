// The scoring config's consolidation section: defaults, every key, path-precise errors, printing.
#include <gtest/gtest.h>

#include <string>

#include "config/config_printer.h"
#include "config/scoring_config.h"
#include "test/config/config_text.h"

namespace epc {
namespace {

using test::kConfigHeader;

std::string error_of(const std::string& body) {
  return test::config_error(body);
}

ConsolidationSettings parsed(const std::string& body) {
  return test::parsed_config(body).consolidation;
}

TEST(ConsolidationConfig, OffAndCautiousByDefault) {
  const ConsolidationSettings settings = parsed("");
  EXPECT_FALSE(settings.enabled);
  EXPECT_EQ(settings.interval_seconds, 600);
  EXPECT_EQ(settings.max_evictions_per_run, 10);
  EXPECT_EQ(settings.max_evictions_per_hour, 30);
  EXPECT_EQ(settings.max_draining_nodes, 1);
  EXPECT_EQ(settings.max_priority, 0);
  EXPECT_EQ(settings.min_pod_age_seconds, 600);
  EXPECT_EQ(settings.drain_hold_seconds, 1800);
  EXPECT_FALSE(settings.dry_run);
  EXPECT_TRUE(settings.quiet_hours.empty());
  // The shipped default file says the same.
  const auto shipped = load_config(EPC_SOURCE_DIR "/config/default.yaml");
  ASSERT_TRUE(shipped.ok()) << shipped.error().message;
  EXPECT_EQ(format_config(*shipped), format_config(ScoringConfig{}));
}

TEST(ConsolidationConfig, ReadsEveryKey) {
  const ConsolidationSettings settings = parsed(
      "consolidation:\n"
      "  enabled: true\n"
      "  dryRun: true\n"
      "  interval: 1h30m\n"
      "  maxEvictionsPerRun: 4\n"
      "  maxEvictionsPerHour: 12\n"
      "  maxDrainingNodes: 2\n"
      "  maxPriority: -5\n"
      "  minPodAge: 45s\n"
      "  drainHold: 2h\n"
      "  quietHours: [\"22:00-06:00\", \"12:30-13:00\"]\n");
  EXPECT_TRUE(settings.enabled);
  EXPECT_EQ(settings.interval_seconds, 5400);
  EXPECT_EQ(settings.max_evictions_per_run, 4);
  EXPECT_EQ(settings.max_evictions_per_hour, 12);
  EXPECT_EQ(settings.max_draining_nodes, 2);
  EXPECT_EQ(settings.max_priority, -5);
  EXPECT_EQ(settings.min_pod_age_seconds, 45);
  EXPECT_EQ(settings.drain_hold_seconds, 7200);
  EXPECT_TRUE(settings.dry_run);
  EXPECT_EQ(settings.quiet_hours,
            (std::vector<QuietWindow>{{22 * 60, 6 * 60}, {12 * 60 + 30, 13 * 60}}));
}

TEST(ConsolidationConfig, ErrorsNameTheKeyAndTheValue) {
  EXPECT_EQ(error_of("consolidation: {enabled: yes please}\n"),
            "consolidation.enabled: must be true or false, got \"yes please\"");
  EXPECT_EQ(error_of("consolidation: {interval: 10}\n"),
            "consolidation.interval: must be a duration such as 10m, 1h30m or 45s, got \"10\"");
  EXPECT_EQ(error_of("consolidation: {interval: 5s}\n"),
            "consolidation.interval: must be between 10s and 86400s, got \"5s\"");
  EXPECT_EQ(error_of("consolidation: {minPodAge: 10m1h}\n"),
            "consolidation.minPodAge: must be a duration such as 10m, 1h30m or 45s, got "
            "\"10m1h\"");
  EXPECT_EQ(error_of("consolidation: {drainHold: 8d}\n"),
            "consolidation.drainHold: must be a duration such as 10m, 1h30m or 45s, got \"8d\"");
  EXPECT_EQ(error_of("consolidation: {drainHold: 169h}\n"),
            "consolidation.drainHold: must be between 0s and 604800s, got \"169h\"");
  EXPECT_EQ(error_of("consolidation: {maxEvictionsPerRun: 0}\n"),
            "consolidation.maxEvictionsPerRun: must be an integer in 1..10000, got 0");
  EXPECT_EQ(error_of("consolidation: {maxDrainingNodes: x}\n"),
            "consolidation.maxDrainingNodes: must be an integer in 1..1000, got \"x\"");
  EXPECT_EQ(error_of("consolidation: {maxPriority: 2000000000}\n"),
            "consolidation.maxPriority: must be an integer in -2147483648..1000000000, got "
            "2000000000");
  EXPECT_EQ(error_of("consolidation: {quietHours: [\"22:00-6:00\", \"10:00-10:00\"]}\n"),
            "consolidation.quietHours[0]: must be a UTC window HH:MM-HH:MM such as "
            "22:00-06:00, got \"22:00-6:00\"\n"
            "consolidation.quietHours[1]: must not start and end at the same time, got "
            "\"10:00-10:00\"");
  EXPECT_EQ(error_of("consolidation: {every: 1m}\n"), "consolidation.every: unknown key");
}

TEST(ConsolidationConfig, PrintingRoundTrips) {
  auto config = parse_config(kConfigHeader +
                             "consolidation: {enabled: true, interval: 1h5m7s, minPodAge: 0s, "
                             "quietHours: [\"23:15-01:00\"]}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const std::string printed = format_config(*config);
  EXPECT_NE(printed.find("interval: 1h5m7s"), std::string::npos) << printed;
  EXPECT_NE(printed.find("\"23:15-01:00\""), std::string::npos) << printed;
  const auto reparsed = parse_config(printed);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message << "\n" << printed;
  EXPECT_EQ(format_config(*reparsed), printed);
  EXPECT_TRUE(reparsed->consolidation.enabled);
}

}  // namespace
}  // namespace epc
