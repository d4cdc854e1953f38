// NodeTable: the nodes a snapshot shows, as a value that is cheap to copy and cheap to change by
// one node. Every change to the ledger that touches nodes or bound pods (one pod's watch event
// binding it, in the common case) publishes a new ClusterSnapshot, and a snapshot must never change
// once readers hold it. Copying a whole hash map of records per change cost about two allocations
// per node (over a thousand per pod event at 500 nodes) and showed in profiles of the extender. A
// NodeTable is split into a fixed number of shards by name hash, each shared between copies until
// one of them changes it: a copy costs one pointer per shard, and changing one node in a copy
// clones only that node's shard. Records are looked up by string_view without allocating.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/node_record.h"

namespace epc {

class NodeTable {
 public:
  // 256 shards keep a single-node change to about two records at 500 nodes and twenty at 5000,
  // while a copy of the table (256 shared pointers, null for empty shards, and 256 slots) stays a
  // few microseconds.
  static constexpr size_t kShardCount = 256;

  class const_iterator;

  NodeTable() = default;
  NodeTable(const NodeTable&) = default;
  NodeTable& operator=(const NodeTable&) = default;
  // A moved-from table is empty (its slots would otherwise still point into the moved shards).
  NodeTable(NodeTable&& other) noexcept;
  NodeTable& operator=(NodeTable&& other) noexcept;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The record named `name`, or null. The pointer stays valid while this table is not changed
  // (for a snapshot's table: as long as the snapshot lives).
  const NodeRecord* find(std::string_view name) const;
  // The record of each of `names` (or null), in order, written to `out` (which must hold
  // names.size()). The same answers as find, for a whole request's candidates at once: one
  // look-up's cost is a chain of cache misses (the shard's tags, the record, the record's name),
  // and walking the names as a pipeline, each link a few names behind the one before, lets many
  // names' misses overlap instead of each name waiting for its own.
  void find_all(std::span<const std::string_view> names, std::span<const NodeRecord*> out) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }

  // For the table's owner. The record named `name`, made private to this table first (its shard is
  // cloned when shared with a copy), or null. The caller must not change the record's name.
  // Pointers into this table are valid until its next change.
  NodeRecord* find_mutable(std::string_view name);
  // Inserts `record` under `record.name`, or replaces the record of that name.
  void insert_or_assign(NodeRecord record);
  // Removes the record named `name`; returns whether there was one.
  bool erase(std::string_view name);

  // How many shards this table shares with `other` (the same storage, not just equal contents);
  // lets tests see that a copy changed by one node kept the rest shared.
  size_t shards_shared_with(const NodeTable& other) const;
  // Whether this table and `other` hold the same shards (the same storage, not just equal
  // contents), which proves they hold the same records: a shared shard is never changed in place.
  bool same_storage_as(const NodeTable& other) const;
  // How many shards hold at least one record.
  size_t shards_in_use() const;

  // Iteration visits every record once, in no particular order, as (name, record) pairs:
  // `for (const auto& [name, record] : table)`.
  const_iterator begin() const;
  const_iterator end() const;

 private:
  // The records of one shard, each with a 16-bit tag taken from its name's hash. A look-up compares
  // the tags, eight at a time, and a name only where its tag matches: scanning the shard's full
  // hashes one by one was most of a look-up's instructions. `tags` holds kTagPadding zeros past
  // the last record's tag, so that a group of eight can always be loaded whole.
  struct Shard {
    Shard() : tags(kTagPadding, 0) {}
    std::vector<uint16_t> tags;
    std::vector<NodeRecord> records;

    ptrdiff_t index_of(uint16_t tag, std::string_view name) const;
  };
  static constexpr size_t kTagPadding = 7;

  // Where a shard's tags and records are, kept beside the shard pointers so that a look-up goes
  // from the table straight to the tags without first loading the shard: one cache miss fewer.
  // sync_slot refreshes a shard's slot after every change to it.
  struct Slot {
    const uint16_t* tags = nullptr;
    const NodeRecord* records = nullptr;
    size_t count = 0;
  };

  static size_t hash_of(std::string_view name) { return NodeNameHash{}(name); }
  // The shard takes the hash's low bits, the tag its high ones, so that the names of one shard
  // still differ in their tags.
  static size_t shard_of(size_t hash) { return hash % kShardCount; }
  static uint16_t tag_of(size_t hash) { return static_cast<uint16_t>(hash >> 48); }
  // The shard at `index` as this table's own, cloned first when another table shares it. The
  // caller calls sync_slot(index) once done changing it.
  Shard& own_shard(size_t index);
  void sync_slot(size_t index);

  // Null where a shard is empty. Shards are never changed while shared; see own_shard.
  std::array<std::shared_ptr<Shard>, kShardCount> shards_{};
  std::array<Slot, kShardCount> slots_{};
  size_t size_ = 0;
};

class NodeTable::const_iterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using difference_type = std::ptrdiff_t;
  // A pair of references: the name is the record's own, so it is not stored twice.
  using value_type = std::pair<const std::string&, const NodeRecord&>;
  using reference = value_type;

  struct pointer {
    value_type pair;
    const value_type* operator->() const { return &pair; }
  };

  const_iterator() = default;

  reference operator*() const {
    const NodeRecord& record = (*shards_)[shard_]->records[position_];
    return {record.name, record};
  }
  pointer operator->() const { return pointer{**this}; }
  const_iterator& operator++() {
    ++position_;
    skip_to_record();
    return *this;
  }
  const_iterator operator++(int) {
    const_iterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const const_iterator& a, const const_iterator& b) {
    return a.shard_ == b.shard_ && a.position_ == b.position_;
  }

 private:
  friend class NodeTable;
  using Shards = std::array<std::shared_ptr<Shard>, kShardCount>;

  const_iterator(const Shards* shards, size_t shard) : shards_(shards), shard_(shard) {
    skip_to_record();
  }
  // Moves to the next record at or after (shard_, position_), or to end (shard_ == kShardCount).
  void skip_to_record() {
    while (shard_ < kShardCount) {
      const std::shared_ptr<Shard>& shard = (*shards_)[shard_];
      if (shard && position_ < shard->records.size()) return;
      ++shard_;
      position_ = 0;
    }
  }

  const Shards* shards_ = nullptr;
  size_t shard_ = kShardCount;
  size_t position_ = 0;
};

inline NodeTable::const_iterator NodeTable::begin() const {
  return const_iterator(&shards_, 0);
}

inline NodeTable::const_iterator NodeTable::end() const {
  return const_iterator(&shards_, kShardCount);
}

}  // namespace epc
