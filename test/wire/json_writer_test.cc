#include "scheduler/wire/json_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace epc {
namespace {

std::string as_json(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(as_json(R"(a "b" \c)"), R"("a \"b\" \\c")");
  EXPECT_EQ(as_json("tab\there\nnl\r\b\f"), R"("tab\there\nnl\r\b\f")");
  EXPECT_EQ(as_json(std::string("nul\0x\x1f", 6)), R"("nul\u0000x\u001f")");
}

// Plain text is scanned eight bytes at a time: a byte needing an escape must be found in every
// position of a word, and at every distance from the end.
TEST(JsonWriter, FindsEveryByteNeedingAnEscapeWhereverItSits) {
  const std::string plain = "node has no SGX EPC (none of sgx.intel.com/epc)";
  const std::vector<std::string> specials = {"\"", "\\", "\n", "\x1f", "\x7f", "\xc3\xa9", "\xff"};
  for (const std::string& special : specials) {
    for (size_t at = 0; at <= plain.size(); ++at) {
      const std::string text = plain.substr(0, at) + special + plain.substr(at);
      const std::string escaped = as_json(special);
      const std::string expected = "\"" + plain.substr(0, at) +
                                   escaped.substr(1, escaped.size() - 2) + plain.substr(at) + "\"";
      EXPECT_EQ(as_json(text), expected) << "at " << at;
    }
  }
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(as_json("épc ✓ 🔒"), "\"épc ✓ 🔒\"");
  EXPECT_EQ(as_json("bad \xff byte"), "\"bad \xEF\xBF\xBD byte\"");
  EXPECT_EQ(as_json("cut \xE2\x9C"), "\"cut \xEF\xBF\xBD\xEF\xBF\xBD\"");  // truncated sequence
  EXPECT_EQ(as_json("overlong \xC0\xAF"), "\"overlong \xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(as_json("surrogate \xED\xA0\x80"),
            "\"surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonWriter, MapsComeOutSortedWithTheLastValueOfARepeatedKey) {
  std::string out;
  append_json_string_map(out, {{"b", "2"}, {"a", "1"}, {"b", "3"}, {"c\"", "4"}});
  EXPECT_EQ(out, R"({"a":"1","b":"3","c\"":"4"})");
  out.clear();
  append_json_string_map(out, {});
  EXPECT_EQ(out, "{}");
}

}  // namespace
}  // namespace epc
