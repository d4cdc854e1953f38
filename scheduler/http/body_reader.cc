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

// pplx copies a task's result at every step of a chain, so the outcome travels by pointer: a
// body copied once per 64 KiB slice made a 16 MB request take 16 s.
using SharedOutcome = std::shared_ptr<BodyOutcome>;

SharedOutcome failure(Status status, std::string error) {
  return std::make_shared<BodyOutcome>(BodyOutcome{status, {}, std::move(error)});
}

SharedOutcome complete(std::string body) {
  pad_body(body);
  return std::make_shared<BodyOutcome>(BodyOutcome{Status::kComplete, std::move(body), {}});
}

std::string limit_text(size_t max_bytes) {
  return std::to_string(max_bytes) + " bytes (" + format_bytes(static_cast<int64_t>(max_bytes)) +
         ")";
}

// State shared by the continuations of one read; the buffer writes into `body` until the read
// completes, so the continuation that sees the result keeps it alive.
struct BodyRead {
  ByteBuffer source;
  std::string body;
  size_t max_bytes = 0;
  std::optional<size_t> expected;  // Content-Length; absent for a chunked body
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

SharedOutcome ended_early(const BodyRead& read) {
  return failure(Status::kInvalid, "request body ended after " + std::to_string(read.body.size()) +
                                       " of " + std::to_string(*read.expected) +
                                       " bytes (Content-Length)");
}

// One slice per continuation until the announced length, the end of a chunked body, or the limit.
pplx::task<SharedOutcome> read_slices(std::shared_ptr<BodyRead> read) {
  const size_t offset = read->body.size();
  const size_t want = read->expected ? std::min(kSlice, *read->expected - offset) : kSlice;
  grow_to(*read, offset + want);
  return read->source.getn(tail(*read, offset), want)
      .then(
          [read, offset](size_t got) -> pplx::task<SharedOutcome> {
            read->body.resize(offset + got);
            if (read->body.size() > read->max_bytes) {
              return pplx::task_from_result(
                  failure(Status::kTooLarge, "chunked request body exceeds the limit of " +
                                                 limit_text(read->max_bytes) + " after " +
                                                 std::to_string(read->body.size()) + " bytes"));
            }
            const bool finished = read->expected ? read->body.size() == *read->expected : got == 0;
            if (finished) return pplx::task_from_result(complete(std::move(read->body)));
            if (got == 0) return pplx::task_from_result(ended_early(*read));
            return read_slices(read);
          },
          on_ready_thread());
}

pplx::task<SharedOutcome> start_read(const http_request& request, size_t max_bytes) {
  const Framing framing = framing_of(request);
  if (!framing.chunked && !framing.invalid_content_length.empty()) {
    return pplx::task_from_result(failure(
        Status::kInvalid, "invalid Content-Length \"" + framing.invalid_content_length + "\""));
  }
  if (!framing.chunked && framing.content_length.value_or(0) > max_bytes) {
    return pplx::task_from_result(
        failure(Status::kTooLarge, "request body of " + std::to_string(*framing.content_length) +
                                       " bytes exceeds the limit of " + limit_text(max_bytes)));
  }
  if (!framing.chunked && framing.content_length.value_or(0) == 0) {
    return pplx::task_from_result(complete({}));
  }
  std::optional<size_t> expected;
  if (!framing.chunked) expected = static_cast<size_t>(*framing.content_length);
  return read_slices(
      std::make_shared<BodyRead>(BodyRead{request.body().streambuf(), {}, max_bytes, expected}));
}

}  // namespace

pplx::task<std::shared_ptr<BodyOutcome>> read_body(const http_request& request, size_t max_bytes) {
  pplx::task<SharedOutcome> started;
  try {
    started = start_read(request, max_bytes);
  } catch (const std::exception& e) {
    return pplx::task_from_result(
        failure(Status::kInvalid, std::string("reading the request body: ") + e.what()));
  }
  // Every failure of the chain (a dropped connection faults the buffer) ends up here, observed:
  // pplx terminates the process on a faulted task nobody looked at.
  return started.then(
      [](pplx::task<SharedOutcome> outcome) {
        try {
          return outcome.get();
        } catch (const std::exception& e) {
          return failure(Status::kInvalid, std::string("reading the request body: ") + e.what());
        } catch (...) {
          return failure(Status::kInvalid, "reading the request body: unknown error");
        }
      },
      on_ready_thread());
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
