#include "model/quantity.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace epc {
namespace {

constexpr int64_t kKi = int64_t{1} << 10;
constexpr int64_t kMi = int64_t{1} << 20;
constexpr int64_t kGi = int64_t{1} << 30;
constexpr int64_t kTi = int64_t{1} << 40;
constexpr int64_t kPi = int64_t{1} << 50;
constexpr int64_t kEi = int64_t{1} << 60;

struct Valid {
  std::string text;
  int64_t value;
};

class ValidQuantity : public testing::TestWithParam<Valid> {};

TEST_P(ValidQuantity, ParsesExactly) {
  const auto parsed = parse_quantity(GetParam().text);
  ASSERT_TRUE(parsed.ok()) << GetParam().text << ": " << parsed.error().message;
  EXPECT_EQ(*parsed, GetParam().value) << GetParam().text;
}

TEST_P(ValidQuantity, ParsesNegatedAndWithExplicitPlus) {
  const auto negative = parse_quantity("-" + GetParam().text);
  ASSERT_TRUE(negative.ok()) << negative.error().message;
  EXPECT_EQ(*negative, -GetParam().value);
  const auto positive = parse_quantity("+" + GetParam().text);
  ASSERT_TRUE(positive.ok()) << positive.error().message;
  EXPECT_EQ(*positive, GetParam().value);
}

// The whole-number cases of k8s.io/apimachinery's TestQuantityParse table.
INSTANTIATE_TEST_SUITE_P(
    KubernetesExamples, ValidQuantity,
    testing::Values(
        Valid{"0", 0}, Valid{"0n", 0}, Valid{"0u", 0}, Valid{"0m", 0}, Valid{"0Ki", 0},
        Valid{"0k", 0}, Valid{"0Mi", 0}, Valid{"0M", 0}, Valid{"0Gi", 0}, Valid{"0G", 0},
        Valid{"0Ti", 0}, Valid{"0T", 0}, Valid{"1", 1}, Valid{"1Ki", kKi}, Valid{"8Ki", 8 * kKi},
        Valid{"7Mi", 7 * kMi}, Valid{"6Gi", 6 * kGi}, Valid{"5Ti", 5 * kTi}, Valid{"4Pi", 4 * kPi},
        Valid{"3Ei", 3 * kEi}, Valid{"10Ti", 10 * kTi}, Valid{"100Ti", 100 * kTi}, Valid{"9", 9},
        Valid{"8k", 8000}, Valid{"50k", 50000}, Valid{"7M", 7000000}, Valid{"6G", 6000000000},
        Valid{"5T", 5000000000000}, Valid{"40T", 40000000000000}, Valid{"300T", 300000000000000},
        Valid{"2P", 2000000000000000}, Valid{"1E", 1000000000000000000}, Valid{"1e3", 1000},
        Valid{"1E6", 1000000}, Valid{"1e9", 1000000000}, Valid{"1E12", 1000000000000},
        Valid{"1e15", 1000000000000000}, Valid{"1E18", 1000000000000000000},
        Valid{"1e14", 100000000000000}, Valid{"1e13", 10000000000000}, Valid{"100.035k", 100035},
        Valid{"10.035M", 10035000}, Valid{"1.2e3", 1200}, Valid{"1.3E+6", 1300000},
        Valid{"1.40e9", 1400000000}, Valid{"1.53E12", 1530000000000},
        Valid{"1.6e15", 1600000000000000}, Valid{"1.7E18", 1700000000000000000},
        Valid{"8.1k", 8100}, Valid{"7.123456M", 7123456}, Valid{"6.987654321G", 6987654321},
        Valid{"5.444T", 5444000000000}, Valid{"40.1T", 40100000000000},
        Valid{"300.2T", 300200000000000}, Valid{"2.5P", 2500000000000000},
        Valid{"1.01E", 1010000000000000000}, Valid{"0.5Mi", kMi / 2}, Valid{"1.", 1},
        Valid{"1.G", 1000000000}, Valid{"1000m", 1}, Valid{"1000000000n", 1},
        Valid{"1000000u", 1}));

INSTANTIATE_TEST_SUITE_P(
    Exact, ValidQuantity,
    testing::Values(Valid{".5Ki", 512}, Valid{"1.5Gi", 3 * kGi / 2}, Valid{"0.25Ki", 256},
                    Valid{"1536Ki", 1536 * kKi}, Valid{"10e-1", 1}, Valid{"120e-1", 12},
                    Valid{"007", 7}, Valid{"1.000", 1}, Valid{"0.0009765625Ki", 1},
                    Valid{"9223372036854775807", std::numeric_limits<int64_t>::max()},
                    // 2^63 - 2^50: a fraction that only the binary multiplier makes whole.
                    Valid{"7.9990234375Ei", std::numeric_limits<int64_t>::max() - (kPi - 1)},
                    Valid{"9.223372036854775807E", std::numeric_limits<int64_t>::max()},
                    Valid{"0e999999999", 0}, Valid{"0.000Ei", 0}));

TEST(ParseQuantity, TheMostNegativeInt64IsInRange) {
  const auto parsed = parse_quantity("-8Ei");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, std::numeric_limits<int64_t>::min());
  const auto decimal = parse_quantity("-9223372036854775808");
  ASSERT_TRUE(decimal.ok()) << decimal.error().message;
  EXPECT_EQ(*decimal, std::numeric_limits<int64_t>::min());
}

struct Invalid {
  std::string text;
  std::string message;
};

class InvalidQuantity : public testing::TestWithParam<Invalid> {};

TEST_P(InvalidQuantity, IsRefusedWithAPreciseMessage) {
  const auto parsed = parse_quantity(GetParam().text);
  ASSERT_FALSE(parsed.ok()) << GetParam().text << " parsed as " << *parsed;
  EXPECT_EQ(parsed.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, InvalidQuantity,
    testing::Values(Invalid{"", R"(invalid quantity "": empty)"},
                    Invalid{" 1", R"(invalid quantity " 1": no digits)"},
                    Invalid{"1 ", R"(invalid quantity "1 ": unknown suffix " ")"},
                    Invalid{"aoeu", R"(invalid quantity "aoeu": no digits)"},
                    Invalid{"Ki", R"(invalid quantity "Ki": no digits)"},
                    Invalid{"-", R"(invalid quantity "-": no digits)"},
                    Invalid{".", R"(invalid quantity ".": no digits)"},
                    Invalid{"1.1.M", R"(invalid quantity "1.1.M": more than one decimal point)"},
                    Invalid{"1.2.3", R"(invalid quantity "1.2.3": more than one decimal point)"},
                    Invalid{"1+1.0M", R"(invalid quantity "1+1.0M": unknown suffix "+1.0M")"},
                    Invalid{"0.1mi", R"(invalid quantity "0.1mi": unknown suffix "mi")"},
                    Invalid{"0.1am", R"(invalid quantity "0.1am": unknown suffix "am")"},
                    Invalid{".5i", R"(invalid quantity ".5i": unknown suffix "i")"},
                    Invalid{"1i", R"(invalid quantity "1i": unknown suffix "i")"},
                    Invalid{"-3.01i", R"(invalid quantity "-3.01i": unknown suffix "i")"},
                    Invalid{"12x", R"(invalid quantity "12x": unknown suffix "x")"},
                    Invalid{"1KI", R"(invalid quantity "1KI": unknown suffix "KI")"},
                    Invalid{"--1", R"(invalid quantity "--1": no digits)"},
                    Invalid{"-3.01e-", R"(invalid quantity "-3.01e-": invalid exponent "e-")"},
                    Invalid{"1e", R"(invalid quantity "1e": invalid exponent "e")"},
                    Invalid{"1e3.5", R"(invalid quantity "1e3.5": invalid exponent "e3.5")"},
                    Invalid{"1e+", R"(invalid quantity "1e+": invalid exponent "e+")"}));

INSTANTIATE_TEST_SUITE_P(
    NotWhole, InvalidQuantity,
    testing::Values(
        Invalid{"100m", R"(invalid quantity "100m": not a whole number)"},
        Invalid{"1.5", R"(invalid quantity "1.5": not a whole number)"},
        Invalid{"12e-1", R"(invalid quantity "12e-1": not a whole number)"},
        Invalid{"0.001Ki", R"(invalid quantity "0.001Ki": not a whole number)"},
        Invalid{"1.1Ki", R"(invalid quantity "1.1Ki": not a whole number)"},
        Invalid{"5n", R"(invalid quantity "5n": not a whole number)"},
        Invalid{"0.00048828125Ki", R"(invalid quantity "0.00048828125Ki": not a whole number)"},
        Invalid{"1e-999999999", R"(invalid quantity "1e-999999999": not a whole number)"}));

INSTANTIATE_TEST_SUITE_P(
    OutOfRange, InvalidQuantity,
    testing::Values(
        Invalid{"8Ei", R"(invalid quantity "8Ei": out of range)"},
        Invalid{"9Ei", R"(invalid quantity "9Ei": out of range)"},
        Invalid{"9223372036854775808", R"(invalid quantity "9223372036854775808": out of range)"},
        Invalid{"-9223372036854775809", R"(invalid quantity "-9223372036854775809": out of range)"},
        Invalid{"9223372036854775807Ki",
                R"(invalid quantity "9223372036854775807Ki": out of range)"},
        Invalid{"12E", R"(invalid quantity "12E": out of range)"},
        Invalid{"1e19", R"(invalid quantity "1e19": out of range)"},
        Invalid{"1e999999999", R"(invalid quantity "1e999999999": out of range)"},
        Invalid{"1e99999999999999999999999",
                R"(invalid quantity "1e99999999999999999999999": out of range)"}));

TEST(ParseQuantity, AThousandDigitsAreRefusedNotOverflowed) {
  const std::string huge(1000, '9');
  const auto parsed = parse_quantity(huge);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "invalid quantity \"" + huge + "\": out of range");
}

TEST(ParseQuantity, ManyFractionDigitsStillResolveExactly) {
  // 1000 significant digits after the point, shifted back into range by the exponent.
  const std::string digits = "1" + std::string(998, '0') + "1";
  const auto whole = parse_quantity("0." + digits + "e1001");
  ASSERT_FALSE(whole.ok());
  EXPECT_NE(whole.error().message.find("out of range"), std::string::npos);
  const auto tiny = parse_quantity("0." + std::string(998, '0') + "1e999");
  ASSERT_TRUE(tiny.ok()) << tiny.error().message;
  EXPECT_EQ(*tiny, 1);
}

TEST(FormatBytes, UsesTheLargestExactBinarySuffix) {
  EXPECT_EQ(format_bytes(0), "0");
  EXPECT_EQ(format_bytes(1000), "1000");
  EXPECT_EQ(format_bytes(1024), "1Ki");
  EXPECT_EQ(format_bytes(1536 * kKi), "1536Ki");
  EXPECT_EQ(format_bytes(64 * kMi), "64Mi");
  EXPECT_EQ(format_bytes(93 * kMi), "93Mi");
  EXPECT_EQ(format_bytes(kGi), "1Gi");
  EXPECT_EQ(format_bytes(3 * kEi), "3Ei");
  EXPECT_EQ(format_bytes(-64 * kMi), "-64Mi");
  EXPECT_EQ(format_bytes(-1000), "-1000");
  EXPECT_EQ(format_bytes(std::numeric_limits<int64_t>::min()), "-8Ei");
  EXPECT_EQ(format_bytes(std::numeric_limits<int64_t>::max()), "9223372036854775807");
}

TEST(FormatBytes, RoundTripsThroughParseQuantity) {
  for (const int64_t bytes :
       {int64_t{0}, int64_t{1}, int64_t{1023}, 5 * kKi, 64 * kMi + kKi, 7 * kTi, -3 * kPi,
        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    const auto parsed = parse_quantity(format_bytes(bytes));
    ASSERT_TRUE(parsed.ok()) << format_bytes(bytes) << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, bytes) << format_bytes(bytes);
  }
}

}  // namespace
}  // namespace epc
