#include "scheduler/wire/json_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
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

// A value escaped once is copied for every later entry viewing the same text; what comes out is
// what escaping each value afresh gives, with more distinct values than the writer remembers,
// equal texts at different addresses, and the output growing (and moving) in between.
TEST(JsonWriter, MapValuesViewingOneTextComeOutAsIfEachWereEscaped) {
  std::vector<std::string> texts;
  for (int i = 0; i < 12; ++i)
    texts.push_back("reason \"" + std::to_string(i) + "\"\n\xff, " + std::string(40, 'x'));
  const std::string twin = texts[3];  // equal to texts[3], elsewhere in memory
  std::vector<std::pair<std::string_view, std::string_view>> entries;
  std::string expected = "{";
  for (int i = 0; i < 300; ++i) {
    entries.emplace_back();  // keys filled in below, once the vector stops growing
  }
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("node-" + std::to_string(1000 + i));  // sorted
  for (int i = 0; i < 300; ++i) {
    const std::string& value = i % 50 == 7 ? twin : texts[(i * 7) % texts.size()];
    entries[i] = {keys[i], value};
    if (i > 0) expected += ',';
    append_json_string(expected, keys[i]);
    expected += ':';
    append_json_string(expected, value);
  }
  expected += '}';
  std::string out;  // empty: it grows while the map is written
  append_json_string_map(out, entries);
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace epc
