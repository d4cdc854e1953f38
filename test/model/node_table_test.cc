#include "model/node_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builders.h"

namespace epc {
namespace {

using namespace testing_builders;

static_assert(std::forward_iterator<NodeTable::const_iterator>);

std::string name_of(int i) {
  return "aks-confpool-node-" + std::to_string(i);  // longer than SSO, as real names are
}

// What find_all takes: views of the names (a request's, in the service).
std::vector<std::string_view> views_of(const std::vector<std::string>& names) {
  return {names.begin(), names.end()};
}

NodeTable table_of(int nodes) {
  NodeTable table;
  for (int i = 0; i < nodes; ++i) table.insert_or_assign(record(name_of(i), 64 * kMi));
  return table;
}

// The table's contents as a sorted map of name to committed bytes, visiting it by iteration; fails
// the test when a record is visited twice or under a name that is not its own.
std::map<std::string, int64_t> contents(const NodeTable& table) {
  std::map<std::string, int64_t> seen;
  for (const auto& [name, record] : table) {
    EXPECT_EQ(name, record.name);
    EXPECT_TRUE(seen.emplace(name, record.committed_bytes).second) << name << " visited twice";
  }
  return seen;
}

TEST(NodeTable, StartsEmpty) {
  const NodeTable table;
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.begin(), table.end());
  EXPECT_EQ(table.find("n1"), nullptr);
  EXPECT_EQ(table.shards_in_use(), 0u);
}

TEST(NodeTable, FindsByStringViewAndReplacesByName) {
  NodeTable table;
  table.insert_or_assign(record("n1", 64 * kMi));
  table.insert_or_assign(record("n2", 32 * kMi));
  table.insert_or_assign(record("n1", 128 * kMi, 8 * kMi));
  EXPECT_EQ(table.size(), 2u);
  const std::string body = R"({"NodeNames":["n1"]})";
  const NodeRecord* n1 = table.find(std::string_view(body).substr(15, 2));
  ASSERT_NE(n1, nullptr);
  EXPECT_EQ(n1->epc.bytes, 128 * kMi);
  EXPECT_EQ(n1->committed_bytes, 8 * kMi);
  EXPECT_TRUE(table.contains("n2"));
  EXPECT_FALSE(table.contains("n3"));
}

TEST(NodeTable, IterationVisitsEveryRecordOnce) {
  const NodeTable table = table_of(3000);
  const std::map<std::string, int64_t> seen = contents(table);
  EXPECT_EQ(seen.size(), 3000u);
  EXPECT_EQ(static_cast<size_t>(std::distance(table.begin(), table.end())), 3000u);
  for (int i = 0; i < 3000; ++i) EXPECT_TRUE(seen.contains(name_of(i))) << name_of(i);
}

TEST(NodeTable, ChangingACopyLeavesTheOriginalAlone) {
  const NodeTable original = table_of(500);
  const NodeRecord* first = original.find(name_of(0));
  NodeTable copy = original;
  EXPECT_EQ(copy.shards_shared_with(original), original.shards_in_use());

  copy.find_mutable(name_of(0))->committed_bytes = 16 * kMi;
  copy.erase(name_of(1));
  copy.insert_or_assign(record("new", 8 * kMi));

  EXPECT_EQ(original.size(), 500u);
  EXPECT_EQ(original.find(name_of(0)), first) << "the original's records stay where they were";
  EXPECT_EQ(original.find(name_of(0))->committed_bytes, 0);
  EXPECT_NE(original.find(name_of(1)), nullptr);
  EXPECT_EQ(original.find("new"), nullptr);
  EXPECT_EQ(copy.size(), 500u);
  EXPECT_EQ(copy.find(name_of(0))->committed_bytes, 16 * kMi);
  EXPECT_EQ(copy.find(name_of(1)), nullptr);
  EXPECT_NE(copy.find("new"), nullptr);
  // Three changes touch at most three shards; the rest is still shared.
  EXPECT_GE(copy.shards_shared_with(original), original.shards_in_use() - 3);
}

TEST(NodeTable, ChangingTheOriginalLeavesACopyAlone) {
  NodeTable original = table_of(500);
  const NodeTable copy = original;
  const NodeRecord* in_copy = copy.find(name_of(7));

  original.find_mutable(name_of(7))->committed_bytes = 32 * kMi;
  for (int i = 100; i < 200; ++i) original.erase(name_of(i));
  for (int i = 500; i < 600; ++i) original.insert_or_assign(record(name_of(i), kMi));

  EXPECT_EQ(copy.find(name_of(7)), in_copy);
  EXPECT_EQ(in_copy->committed_bytes, 0);
  EXPECT_EQ(copy.size(), 500u);
  EXPECT_EQ(contents(copy), contents(table_of(500)));
  EXPECT_EQ(original.find(name_of(7))->committed_bytes, 32 * kMi);
  EXPECT_EQ(original.size(), 500u);
  EXPECT_EQ(original.find(name_of(150)), nullptr);
  EXPECT_NE(original.find(name_of(550)), nullptr);
}

TEST(NodeTable, AMissClonesNothing) {
  const NodeTable original = table_of(500);
  NodeTable copy = original;
  EXPECT_EQ(copy.find_mutable("absent"), nullptr);
  EXPECT_FALSE(copy.erase("absent"));
  EXPECT_EQ(copy.shards_shared_with(original), original.shards_in_use());
}

TEST(NodeTable, EraseAndInsertAcrossShards) {
  NodeTable table = table_of(2000);
  const size_t full = table.shards_in_use();
  for (int i = 0; i < 2000; i += 2) EXPECT_TRUE(table.erase(name_of(i)));
  EXPECT_FALSE(table.erase(name_of(0)));
  EXPECT_EQ(table.size(), 1000u);
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(table.contains(name_of(i)), i % 2 == 1) << i;
  for (int i = 1; i < 2000; i += 2) table.erase(name_of(i));
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.begin(), table.end());
  EXPECT_EQ(table.shards_in_use(), 0u) << "empty shards are let go";
  for (int i = 0; i < 2000; ++i) table.insert_or_assign(record(name_of(i), kMi));
  EXPECT_EQ(table.size(), 2000u);
  EXPECT_EQ(table.shards_in_use(), full);
  EXPECT_EQ(contents(table).size(), 2000u);
}

// Random inserts, replacements, in-place changes and erases on a table and on copies of it, each
// checked against a std::map given the same operations; every copy must keep what it held.
TEST(NodeTable, BehavesAsAMapUnderRandomChangesAndCopies) {
  std::mt19937 random(20240616);
  using Model = std::map<std::string, int64_t>;
  struct Version {
    NodeTable table;
    Model model;
  };
  NodeTable table;
  Model model;
  std::vector<Version> copies;
  auto pick_name = [&] { return name_of(static_cast<int>(random() % 700)); };
  for (int op = 0; op < 5000; ++op) {
    const std::string name = pick_name();
    const auto value = static_cast<int64_t>(random() % 1000);
    switch (random() % 6) {
      case 0:
      case 1:
        table.insert_or_assign(record(name, 64 * kMi, value));
        model[name] = value;
        break;
      case 2:
        EXPECT_EQ(table.erase(name), model.erase(name) == 1);
        break;
      case 3:
        if (NodeRecord* found = table.find_mutable(name)) {
          ASSERT_TRUE(model.contains(name));
          found->committed_bytes = value;
          model[name] = value;
        } else {
          EXPECT_FALSE(model.contains(name));
        }
        break;
      case 4: {
        const NodeRecord* found = table.find(name);
        ASSERT_EQ(found != nullptr, model.contains(name));
        if (found != nullptr) {
          EXPECT_EQ(found->committed_bytes, model.at(name));
        }
        break;
      }
      default:
        if (random() % 20 == 0) {
          copies.push_back({table, model});
        } else if (random() % 10 == 0 && !copies.empty()) {
          // Carry on from an older copy: the abandoned table must not disturb it or the others.
          Version& older = copies[random() % copies.size()];
          table = older.table;
          model = older.model;
        }
        break;
    }
    ASSERT_EQ(table.size(), model.size());
    ASSERT_EQ(table.empty(), model.empty());
  }
  EXPECT_EQ(contents(table), model);
  EXPECT_GT(copies.size(), 10u);
  for (const Version& copy : copies) {
    EXPECT_EQ(copy.table.size(), copy.model.size());
    EXPECT_EQ(contents(copy.table), copy.model);
  }
}

// find_all answers as find does, name by name: known names, unknown ones, repeats and the empty
// name, in a list long enough to span several of its groups and end in a partial one.
TEST(NodeTable, FindAllAnswersAsFindDoesForEachName) {
  NodeTable table = table_of(300);
  ASSERT_TRUE(table.erase(name_of(7)));
  std::vector<std::string> names;
  for (int i = 0; i < 330; i += 3) names.push_back(name_of(i));  // 300 and up are unknown
  names.push_back(name_of(42));
  names.push_back(name_of(42));
  names.push_back("");
  names.push_back(name_of(7));
  std::vector<const NodeRecord*> found(names.size(), nullptr);
  table.find_all(views_of(names), found);
  size_t known = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(found[i], table.find(names[i])) << names[i];
    if (found[i] != nullptr) {
      EXPECT_EQ(found[i]->name, names[i]);
      ++known;
    }
  }
  EXPECT_EQ(known, 102u) << "0, 3, ... 297, and 42 twice; 7 was erased";
  table.find_all({}, {});  // nothing asked, nothing written
  NodeTable empty;
  empty.find_all(views_of(names), found);
  for (const NodeRecord* record : found) EXPECT_EQ(record, nullptr);
}

// Two names that fall in the same shard with the same 16-bit tag (the hash's low byte and high two
// bytes agree): found by brute force, which the birthday bound keeps to a few thousand names.
std::pair<std::string, std::string> names_sharing_shard_and_tag() {
  std::map<uint32_t, std::string> seen;
  for (int i = 0; i < 1'000'000; ++i) {
    std::string name = "colliding-node-name-" + std::to_string(i);
    const size_t hash = NodeNameHash{}(name);
    const auto key = static_cast<uint32_t>((hash % NodeTable::kShardCount) | ((hash >> 48) << 8));
    if (auto [at, added] = seen.emplace(key, name); !added) return {at->second, name};
  }
  ADD_FAILURE() << "no two names share a shard and a tag";
  return {};
}

// A matching tag only says where to compare names: records whose tags collide are still told
// apart by name, by every operation, and in shards long enough to take several groups of tags.
TEST(NodeTable, RecordsWhoseTagsCollideAreToldApartByName) {
  const auto [first, second] = names_sharing_shard_and_tag();
  ASSERT_FALSE(first.empty());
  NodeTable table = table_of(6000);  // about 23 records a shard: three groups of eight tags
  table.insert_or_assign(record(second, 32 * kMi));
  table.insert_or_assign(record(first, 16 * kMi));
  ASSERT_NE(table.find(first), nullptr);
  ASSERT_NE(table.find(second), nullptr);
  EXPECT_EQ(table.find(first)->epc.bytes, 16 * kMi);
  EXPECT_EQ(table.find(second)->epc.bytes, 32 * kMi);

  std::vector<std::string> names{first, second, name_of(5), "unknown", second};
  for (int i = 0; i < 6000; i += 7) names.push_back(name_of(i));
  std::vector<const NodeRecord*> found(names.size(), nullptr);
  table.find_all(views_of(names), found);
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(found[i], table.find(names[i])) << names[i];
    if (found[i] != nullptr) {
      EXPECT_EQ(found[i]->name, names[i]);
    }
  }

  table.find_mutable(second)->committed_bytes = 8 * kMi;
  EXPECT_EQ(table.find(first)->committed_bytes, 0);
  EXPECT_EQ(table.find(second)->committed_bytes, 8 * kMi);
  ASSERT_TRUE(table.erase(first));
  EXPECT_EQ(table.find(first), nullptr);
  ASSERT_NE(table.find(second), nullptr);
  EXPECT_EQ(table.find(second)->committed_bytes, 8 * kMi);
  EXPECT_EQ(table.size(), 6001u);
}

TEST(NodeTable, AMovedFromTableIsEmpty) {
  NodeTable table = table_of(40);
  NodeTable moved = std::move(table);
  EXPECT_EQ(moved.size(), 40u);
  EXPECT_NE(moved.find(name_of(3)), nullptr);
  EXPECT_TRUE(
      table.empty());  // NOLINT(bugprone-use-after-move): the state after a move is the point
  EXPECT_EQ(table.find(name_of(3)), nullptr);
  NodeTable assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.size(), 40u);
  EXPECT_EQ(moved.find(name_of(3)), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(contents(moved).size(), 0u);
}

}  // namespace
}  // namespace epc
