#include "scheduler/http/body_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <simdjson.h>

#include "model/quantity.h"
#include "scheduler/http/same_thread_scheduler.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

using web::http::header_names;
using web::http::http_request;
using Status = BodyOutcome::Status;

// Large enough that a multi-megabyte body takes few continuations, small enough that the
// running size check stops an oversized one early.
constexpr size_t kSlice = 64 * 1024;

using ByteBuffer = concurrency::streams::streambuf<uint8_t>;

// What the request's headers say about its body.
struct Framing {
  bool chunked = false;
  std::optional<uint64_t> content_length;  // absent: no header
  std::string invalid_content_length;      // non-empty: the header's text, which is not a number
};

bool contains_chunked(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value.find("chunked") != std::string::npos;
}

Framing framing_of(const http_request& request) {
  Framing framing;
  std::string value;
  if (request.headers().match(header_names::transfer_encoding, value)) {
    framing.chunked = contains_chunked(value);
  }
  const auto header = request.headers().find(header_names::content_length);
  if (header == request.headers().end()) return framing;
  const std::string& text = header->second;
  uint64_t length = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    framing.invalid_content_length = text.empty() ? std::string("(empty)") : text;
  } else {
    framing.content_length = length;
  }
  return framing;
}

BodyOutcome failure(Status status, std::string error) {
  return BodyOutcome{status, {}, std::move(error)};
}

BodyOutcome complete(std::string body) {
  pad_body(body);
  return BodyOutcome{Status::kComplete, std::move(body), {}};
}

std::string limit_text(size_t max_bytes) {
  return std::to_string(max_bytes) + " bytes (" + format_bytes(static_cast<int64_t>(max_bytes)) +
         ")";
}

std::string reading_failed(std::string_view why) {
  return "reading the request body: " + std::string(why);
}

// State shared by the continuations of one read; the buffer writes into `body` until the read
// completes, so the continuation that sees the result keeps it alive.
struct BodyRead {
  ByteBuffer source;
  std::string body;
  size_t max_bytes = 0;
  std::optional<size_t> expected;  // Content-Length; absent for a chunked body
  BodyDone done;
  bool finished = false;

  // Hands the outcome over, once.
  void finish(BodyOutcome outcome) noexcept {
    if (finished) return;
    finished = true;
    try {
      done(std::move(outcome));
    } catch (...) {
      // `done` must not throw; if it does, the request's own path has failed, not the read.
    }
  }
};

uint8_t* tail(BodyRead& read, size_t offset) {
  return reinterpret_cast<uint8_t*>(read.body.data()) + offset;
}

// Memory follows the bytes that have arrived, never the bytes a header promises: a client that
// announces 60 MB and sends ten bytes costs one slice. Capacity doubles as the body grows (few
// copies for a large body) but never passes the announced length plus the decoder's padding, so
// a well-framed body is not copied again by pad_body.
void grow_to(BodyRead& read, size_t size) {
  if (size > read.body.capacity()) {
    size_t target = std::max(size, read.body.capacity() * 2);
    if (read.expected) {
      target = std::max(size, std::min(target, *read.expected + simdjson::SIMDJSON_PADDING));
    }
    read.body.reserve(target);
  }
  read.body.resize(size);
}

BodyOutcome ended_early(const BodyRead& read) {
  return failure(Status::kInvalid, "request body ended after " + std::to_string(read.body.size()) +
                                       " of " + std::to_string(*read.expected) +
                                       " bytes (Content-Length)");
}

// Takes in one slice that was read at `offset`: the outcome when the read is over (complete, too
// large, cut short or failed, e.g. the client went away), nothing when more is to come.
std::optional<BodyOutcome> take_slice(BodyRead& read, size_t offset,
                                      const pplx::task<size_t>& slice) {
  size_t got = 0;
  try {
    got = slice.get();
  } catch (const std::exception& e) {
    return failure(Status::kInvalid, reading_failed(e.what()));
  } catch (...) {
    return failure(Status::kInvalid, reading_failed("unknown error"));
  }
  read.body.resize(offset + got);
  if (read.body.size() > read.max_bytes) {
    return failure(Status::kTooLarge, "chunked request body exceeds the limit of " +
                                          limit_text(read.max_bytes) + " after " +
                                          std::to_string(read.body.size()) + " bytes");
  }
  const bool finished = read.expected ? read.body.size() == *read.expected : got == 0;
  if (finished) return complete(std::move(read.body));
  if (got == 0) return ended_early(read);
  return std::nullopt;
}

void read_slices(const std::shared_ptr<BodyRead>& read) noexcept;

// Takes in a slice and reads on, or finishes. Never throws: it may run as a continuation, and pplx
// ends the process on a continuation's exception that nobody observes.
void read_on(const std::shared_ptr<BodyRead>& read, size_t offset,
             const pplx::task<size_t>& slice) noexcept {
  try {
    if (std::optional<BodyOutcome> outcome = take_slice(*read, offset, slice)) {
      return read->finish(std::move(*outcome));
    }
  } catch (const std::exception& e) {
    return read->finish(failure(Status::kInvalid, reading_failed(e.what())));
  } catch (...) {
    return read->finish(failure(Status::kInvalid, reading_failed("unknown error")));
  }
  read_slices(read);
}

// Reads slices until the announced length, the end of a chunked body, or the limit. A slice that
// has already arrived (the whole of a small body usually has, by the time its handler runs) is
// taken in at once; only a slice still on its way costs a continuation.
void read_slices(const std::shared_ptr<BodyRead>& read) noexcept {
  try {
    for (;;) {
      const size_t offset = read->body.size();
      const size_t want = read->expected ? std::min(kSlice, *read->expected - offset) : kSlice;
      grow_to(*read, offset + want);
      pplx::task<size_t> slice = read->source.getn(tail(*read, offset), want);
      if (!slice.is_done()) {
        slice.then(
            [read, offset](const pplx::task<size_t>& arrived) { read_on(read, offset, arrived); },
            on_ready_thread());
        return;
      }
      if (std::optional<BodyOutcome> outcome = take_slice(*read, offset, slice)) {
        return read->finish(std::move(*outcome));
      }
    }
  } catch (const std::exception& e) {
    read->finish(failure(Status::kInvalid, reading_failed(e.what())));
  } catch (...) {
    read->finish(failure(Status::kInvalid, reading_failed("unknown error")));
  }
}

// The outcome when the headers alone decide it; nothing when the body must be read.
std::optional<BodyOutcome> judge_framing(const Framing& framing, size_t max_bytes) {
  if (!framing.chunked && !framing.invalid_content_length.empty()) {
    return failure(Status::kInvalid,
                   "invalid Content-Length \"" + framing.invalid_content_length + "\"");
  }
  if (!framing.chunked && framing.content_length.value_or(0) > max_bytes) {
    return failure(Status::kTooLarge, "request body of " + std::to_string(*framing.content_length) +
                                          " bytes exceeds the limit of " + limit_text(max_bytes));
  }
  if (!framing.chunked && framing.content_length.value_or(0) == 0) return complete({});
  return std::nullopt;
}

}  // namespace

void read_body(const http_request& request, size_t max_bytes, BodyDone done) {
  const auto read = std::make_shared<BodyRead>();
  read->max_bytes = max_bytes;
  read->done = std::move(done);
  try {
    const Framing framing = framing_of(request);
    if (std::optional<BodyOutcome> decided = judge_framing(framing, max_bytes)) {
      return read->finish(std::move(*decided));
    }
    if (!framing.chunked) read->expected = static_cast<size_t>(*framing.content_length);
    read->source = request.body().streambuf();
  } catch (const std::exception& e) {
    return read->finish(failure(Status::kInvalid, reading_failed(e.what())));
  } catch (...) {
    return read->finish(failure(Status::kInvalid, reading_failed("unknown error")));
  }
  read_slices(read);
}

bool announces_body(const http_request& request) {
  const Framing framing = framing_of(request);
  return framing.chunked || !framing.invalid_content_length.empty() ||
         framing.content_length.value_or(0) > 0;
}

void abandon_body(const http_request& request) {
  ByteBuffer buffer = request.body().streambuf();
  // Closing the read side only clears an atomic flag, so it is safe while the listener writes; the
  // returned task is already done and cannot fail, so it needs no observer.
  if (buffer) buffer.close(std::ios_base::in);
}

}  // namespace epc
