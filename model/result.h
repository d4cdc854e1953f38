// Result<T>: a value or an Error, the project's one way of reporting failure.
//
// Every fallible operation in model/, config/ and scheduler/ returns a Result instead of throwing,
// so callers see at the type level which steps can fail and must decide what to do with the message
// (reply with it, log it, put it in a filter reason). Exceptions thrown by libraries (cpprestsdk,
// yaml-cpp) are caught at the edge that calls them and turned into Errors. The shape follows
// std::expected (C++23), which g++ 12 in C++20 mode and clang 14 do not offer.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace epc {

// A human-readable failure. Messages name the offending value, e.g. `invalid quantity "12x": ...`.
struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  // An error, never a value: for holders that need a default (a pplx::task<Result<T>> keeps its
  // result in a default-constructed slot until the task completes), so that a Result nobody set
  // can never read as success.
  Result() : state_(Error{"no result"}) {}
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design, like expected
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// Success without a value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error make_error(std::string message) {
  return Error{std::move(message)};
}

}  // namespace epc
