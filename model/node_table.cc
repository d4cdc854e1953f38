#include "model/node_table.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace epc {

namespace {

// Which of the tags in [from, from + 8) are `tag`, as a mask with two bits per position (bits
// 2i and 2i + 1: position from + i), among `count` tags. `tags` must be readable up to from + 8
// (see Shard::tags' padding).
uint32_t tag_matches(const uint16_t* tags, size_t count, size_t from, uint16_t tag) {
#if defined(__SSE2__)
  const __m128i group = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tags + from));
  const __m128i equal = _mm_cmpeq_epi16(group, _mm_set1_epi16(static_cast<int16_t>(tag)));
  auto matches = static_cast<uint32_t>(_mm_movemask_epi8(equal));
#else
  uint32_t matches = 0;
  for (size_t lane = 0; lane < 8; ++lane)
    matches |= uint32_t{tags[from + lane] == tag} * 3U << (2 * lane);
#endif
  if (count - from < 8) matches &= (1U << (2 * (count - from))) - 1;  // the padding matches nothing
  return matches;
}

// The first position at or after `from` whose tag is `tag`, or `count` when none is.
size_t next_tag_match(const uint16_t* tags, size_t count, size_t from, uint16_t tag) {
  for (; from < count; from += 8) {
    if (const uint32_t matches = tag_matches(tags, count, from, tag); matches != 0) {
      return from + static_cast<size_t>(std::countr_zero(matches)) / 2;
    }
  }
  return count;
}

// The position of the record named `name` (whose tag is `tag`) among `count` records, starting
// at `from`, or -1. Only records whose tag matches have their names compared.
ptrdiff_t position_of(const uint16_t* tags, const NodeRecord* records, size_t count, uint16_t tag,
                      std::string_view name, size_t from = 0) {
  for (size_t i = next_tag_match(tags, count, from, tag); i < count;
       i = next_tag_match(tags, count, i + 1, tag)) {
    if (records[i].name == name) return static_cast<ptrdiff_t>(i);
  }
  return -1;
}

void prefetch_record(const NodeRecord& record) {
  // Every cache line of it: fit reads fields from each.
  const char* bytes = reinterpret_cast<const char*>(&record);
  for (size_t line = 0; line < sizeof(NodeRecord); line += 64) __builtin_prefetch(bytes + line);
}

}  // namespace

NodeTable::NodeTable(NodeTable&& other) noexcept
    : shards_(std::move(other.shards_)),
      slots_(std::exchange(other.slots_, {})),
      size_(std::exchange(other.size_, 0)) {}

NodeTable& NodeTable::operator=(NodeTable&& other) noexcept {
  if (this != &other) {
    shards_ = std::move(other.shards_);
    slots_ = std::exchange(other.slots_, {});
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

ptrdiff_t NodeTable::Shard::index_of(uint16_t tag, std::string_view name) const {
  return position_of(tags.data(), records.data(), records.size(), tag, name);
}

const NodeRecord* NodeTable::find(std::string_view name) const {
  const size_t hash = hash_of(name);
  const Slot& slot = slots_[shard_of(hash)];
  const ptrdiff_t index = position_of(slot.tags, slot.records, slot.count, tag_of(hash), name);
  return index < 0 ? nullptr : &slot.records[index];
}

void NodeTable::find_all(std::span<const std::string_view> names,
                         std::span<const NodeRecord*> out) const {
  // Each name's look-up passes through four steps, each kAhead names behind the one before, so
  // that the misses of about 3 * kAhead names are in flight at once: 1 hashes the name and
  // fetches the shard's tags, 2 finds the first matching tag and fetches that record, 3 fetches
  // the record's name (and resource name), 4 decides.
  constexpr size_t kAhead = 8;
  constexpr size_t kRing = 4 * kAhead;  // holds every name in the pipeline
  struct InFlight {
    uint16_t tag = 0;
    const Slot* slot = nullptr;
    size_t first_match = 0;  // the first position whose tag matches; slot->count when none does
  };
  std::array<InFlight, kRing> ring{};
  const size_t count = names.size();
  for (size_t step = 0; step < count + 3 * kAhead; ++step) {
    if (step < count) {
      InFlight& entry = ring[step % kRing];
      const size_t hash = hash_of(names[step]);
      entry.tag = tag_of(hash);
      entry.slot = &slots_[shard_of(hash)];
      __builtin_prefetch(entry.slot->tags);
    }
    if (step >= kAhead && step - kAhead < count) {
      InFlight& entry = ring[(step - kAhead) % kRing];
      const Slot& slot = *entry.slot;
      entry.first_match = next_tag_match(slot.tags, slot.count, 0, entry.tag);
      if (entry.first_match < slot.count) prefetch_record(slot.records[entry.first_match]);
    }
    if (step >= 2 * kAhead && step - 2 * kAhead < count) {
      const InFlight& entry = ring[(step - 2 * kAhead) % kRing];
      if (entry.first_match < entry.slot->count) {
        const NodeRecord& record = entry.slot->records[entry.first_match];
        __builtin_prefetch(record.name.data());
        // Not a link of the look-up: fit compares the record's resource name next, for every
        // candidate, and it too lives on the heap.
        __builtin_prefetch(record.epc.resource.data());
      }
    }
    if (step >= 3 * kAhead) {
      // Every link is in cache. The names decide, from the first matching tag on, so that a
      // second record with the same tag is still found by its name.
      const size_t at = step - 3 * kAhead;
      const InFlight& entry = ring[at % kRing];
      const Slot& slot = *entry.slot;
      if (entry.first_match == slot.count) {
        out[at] = nullptr;
      } else if (slot.records[entry.first_match].name == names[at]) {
        out[at] = &slot.records[entry.first_match];
      } else {
        const ptrdiff_t index = position_of(slot.tags, slot.records, slot.count, entry.tag,
                                            names[at], entry.first_match + 1);
        out[at] = index < 0 ? nullptr : &slot.records[index];
      }
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

void NodeTable::sync_slot(size_t index) {
  const Shard* shard = shards_[index].get();
  slots_[index] = shard == nullptr
                      ? Slot{}
                      : Slot{shard->tags.data(), shard->records.data(), shard->records.size()};
}

NodeRecord* NodeTable::find_mutable(std::string_view name) {
  const size_t hash = hash_of(name);
  const size_t index = shard_of(hash);
  // Look before owning, so that a miss clones nothing.
  if (find(name) == nullptr) return nullptr;
  Shard& shard = own_shard(index);
  sync_slot(index);
  return &shard.records[static_cast<size_t>(shard.index_of(tag_of(hash), name))];
}

void NodeTable::insert_or_assign(NodeRecord record) {
  const size_t hash = hash_of(record.name);
  const size_t index = shard_of(hash);
  Shard& shard = own_shard(index);
  if (const ptrdiff_t position = shard.index_of(tag_of(hash), record.name); position >= 0) {
    shard.records[static_cast<size_t>(position)] = std::move(record);
  } else {
    shard.tags[shard.records.size()] = tag_of(hash);  // the first padding slot becomes the tag
    shard.tags.push_back(0);
    shard.records.push_back(std::move(record));
    ++size_;
  }
  sync_slot(index);
}

bool NodeTable::erase(std::string_view name) {
  const size_t hash = hash_of(name);
  const size_t index = shard_of(hash);
  if (find(name) == nullptr) return false;
  --size_;
  if (shards_[index]->records.size() == 1) {  // its last record: drop the shard, shared or not
    shards_[index].reset();
    sync_slot(index);
    return true;
  }
  Shard& shard = own_shard(index);
  const auto position = static_cast<size_t>(shard.index_of(tag_of(hash), name));
  const size_t last = shard.records.size() - 1;
  // Order within a shard carries no meaning, so the last record fills the gap.
  if (position != last) {
    shard.tags[position] = shard.tags[last];
    shard.records[position] = std::move(shard.records[last]);
  }
  shard.tags[last] = 0;  // back to padding
  shard.tags.pop_back();
  shard.records.pop_back();
  sync_slot(index);
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
