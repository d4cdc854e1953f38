#include "model/consolidation/consolidation_settings.h"

#include <gtest/gtest.h>

namespace epc {
namespace {

TEST(QuietWindow, ContainsWrapsPastMidnight) {
  const QuietWindow night{22 * 60, 6 * 60};
  constexpr int64_t kDay = 86400;
  EXPECT_TRUE(night.contains(10 * kDay + 23 * 3600));
  EXPECT_TRUE(night.contains(10 * kDay + 5 * 3600 + 3599));
  EXPECT_FALSE(night.contains(10 * kDay + 6 * 3600));
  EXPECT_FALSE(night.contains(10 * kDay + 12 * 3600));
  const QuietWindow lunch{12 * 60, 13 * 60};
  EXPECT_TRUE(lunch.contains(12 * 3600));
  EXPECT_FALSE(lunch.contains(13 * 3600));
  ConsolidationSettings settings;
  settings.quiet_hours = {night, lunch};
  EXPECT_TRUE(settings.quiet_at(12 * 3600 + 60));
  EXPECT_FALSE(settings.quiet_at(9 * 3600));
}

}  // namespace
}  // namespace epc
