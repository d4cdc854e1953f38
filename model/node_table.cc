#include "model/node_table.h"

#include <algorithm>
#include <array>
#include <atomic>

namespace epc {

ptrdiff_t NodeTable::Shard::index_of(size_t hash, std::string_view name) const {
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (hashes[i] == hash && records[i].name == name) return static_cast<ptrdiff_t>(i);
  }
  return -1;
}

const NodeRecord* NodeTable::find(std::string_view name) const {
  const size_t hash = hash_of(name);
  const std::shared_ptr<Shard>& shard = shards_[shard_of(hash)];
  if (!shard) return nullptr;
  const ptrdiff_t index = shard->index_of(hash, name);
  return index < 0 ? nullptr : &shard->records[static_cast<size_t>(index)];
}

void NodeTable::find_all(std::span<const std::string> names,
                         std::span<const NodeRecord*> out) const {
  // Enough look-ups in flight to cover a miss's latency, few enough to stay in registers and L1.
  constexpr size_t kGroup = 16;
  for (size_t base = 0; base < names.size(); base += kGroup) {
    const size_t count = std::min(kGroup, names.size() - base);
    std::array<size_t, kGroup> hashes{};
    std::array<const Shard*, kGroup> shards{};
    std::array<ptrdiff_t, kGroup> candidate{};  // the first index whose hash matches, or -1
    for (size_t i = 0; i < count; ++i) {
      hashes[i] = hash_of(names[base + i]);
      shards[i] = shards_[shard_of(hashes[i])].get();
      if (shards[i] != nullptr) __builtin_prefetch(shards[i]);
    }
    for (size_t i = 0; i < count; ++i) {
      if (shards[i] != nullptr) __builtin_prefetch(shards[i]->hashes.data());
    }
    for (size_t i = 0; i < count; ++i) {
      candidate[i] = -1;
      if (shards[i] == nullptr) continue;
      const std::vector<size_t>& shard_hashes = shards[i]->hashes;
      for (size_t j = 0; j < shard_hashes.size(); ++j) {
        if (shard_hashes[j] == hashes[i]) {
          candidate[i] = static_cast<ptrdiff_t>(j);
          __builtin_prefetch(&shards[i]->records[j]);
          break;
        }
      }
    }
    for (size_t i = 0; i < count; ++i) {
      if (candidate[i] >= 0) {
        const NodeRecord& record = shards[i]->records[static_cast<size_t>(candidate[i])];
        __builtin_prefetch(record.name.data());
        // Not a link of the look-up: fit compares the record's resource name next, for every
        // candidate, and it too lives on the heap.
        __builtin_prefetch(record.epc.resource.data());
      }
    }
    // Every link is on its way or in cache: the plain look-up decides, so a second record with
    // the same hash is still found by its name.
    for (size_t i = 0; i < count; ++i) {
      const ptrdiff_t index =
          candidate[i] < 0 ? -1 : shards[i]->index_of(hashes[i], names[base + i]);
      out[base + i] = index < 0 ? nullptr : &shards[i]->records[static_cast<size_t>(index)];
    }
  }
}

NodeTable::Shard& NodeTable::own_shard(size_t index) {
  std::shared_ptr<Shard>& shard = shards_[index];
  if (!shard) {
    shard = std::make_shared<Shard>();
  } else if (shard.use_count() != 1) {
    shard = std::make_shared<Shard>(*shard);
  } else {
    // use_count() == 1 proves that no other table holds the shard, and that none can start to
    // while this runs: a shard gains holders only when a table holding it is copied, this table is
    // the only one holding it, and a table is changed and copied only by its one owner (the
    // ledger, under ClusterState's writer lock), which is busy here. Earlier copies (snapshots'
    // tables, read by other threads) can only let go of a shard, so the count can be stale only
    // upwards, which costs a needless clone, never a shared write. The fence pairs with the
    // release in their decrement: their last reads of the shard happen before the writes below.
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  return *shard;
}

NodeRecord* NodeTable::find_mutable(std::string_view name) {
  const size_t hash = hash_of(name);
  const size_t index = shard_of(hash);
  // Look before owning, so that a miss clones nothing.
  if (!shards_[index] || shards_[index]->index_of(hash, name) < 0) return nullptr;
  Shard& shard = own_shard(index);
  return &shard.records[static_cast<size_t>(shard.index_of(hash, name))];
}

void NodeTable::insert_or_assign(NodeRecord record) {
  const size_t hash = hash_of(record.name);
  Shard& shard = own_shard(shard_of(hash));
  if (const ptrdiff_t index = shard.index_of(hash, record.name); index >= 0) {
    shard.records[static_cast<size_t>(index)] = std::move(record);
    return;
  }
  shard.hashes.push_back(hash);
  shard.records.push_back(std::move(record));
  ++size_;
}

bool NodeTable::erase(std::string_view name) {
  const size_t hash = hash_of(name);
  const size_t index = shard_of(hash);
  if (!shards_[index] || shards_[index]->index_of(hash, name) < 0) return false;
  --size_;
  if (shards_[index]->records.size() == 1) {  // its last record: drop the shard, shared or not
    shards_[index].reset();
    return true;
  }
  Shard& shard = own_shard(index);
  const auto position = static_cast<size_t>(shard.index_of(hash, name));
  // Order within a shard carries no meaning, so the last record fills the gap.
  if (position + 1 != shard.records.size()) {
    shard.hashes[position] = shard.hashes.back();
    shard.records[position] = std::move(shard.records.back());
  }
  shard.hashes.pop_back();
  shard.records.pop_back();
  return true;
}

size_t NodeTable::shards_shared_with(const NodeTable& other) const {
  size_t shared = 0;
  for (size_t i = 0; i < kShardCount; ++i) {
    if (shards_[i] && shards_[i] == other.shards_[i]) ++shared;
  }
  return shared;
}

bool NodeTable::same_storage_as(const NodeTable& other) const {
  return size_ == other.size_ && shards_ == other.shards_;
}

size_t NodeTable::shards_in_use() const {
  size_t in_use = 0;
  for (const std::shared_ptr<Shard>& shard : shards_) {
    if (shard) ++in_use;
  }
  return in_use;
}

}  // namespace epc
