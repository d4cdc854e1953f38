// RecentKeys: which keys were marked within the last `interval`, in bounded memory.
//
// The event recorder's "one Event per pod per interval" memory. Keys are kept in the order they
// were marked, so forgetting the expired ones is a walk from the front that stops at the first
// key still inside the interval, and a cap forgets the oldest first: a flood of distinct pods
// can cost a repeated Event for the oldest ones, never unbounded memory. Time is an argument so
// that tests step it; not thread-safe (its owner holds a lock).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

namespace epc {

class RecentKeys {
 public:
  using Clock = std::chrono::steady_clock;

  // A `capacity` below 1 counts as 1.
  RecentKeys(Clock::duration interval, size_t capacity);

  // Whether `key` was marked less than `interval` before `now`; forgets the expired keys.
  bool seen_within(const std::string& key, Clock::time_point now);
  // Marks `key` at `now`, forgetting the oldest keys beyond the capacity.
  void mark(const std::string& key, Clock::time_point now);

  size_t size() const { return marked_.size(); }

 private:
  void forget_expired(Clock::time_point now);
  void forget_oldest();

  Clock::duration interval_;
  size_t capacity_;
  std::unordered_map<std::string, Clock::time_point> marked_;    // key -> its latest mark
  std::deque<std::pair<Clock::time_point, std::string>> order_;  // oldest mark first
};

}  // namespace epc
