#include "scheduler/kube/reflector.h"

#include <cpprest/uri.h>

#include <utility>
#include <vector>

#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

constexpr int kGone = 410;

std::string encode(const std::string& value) {
  return web::uri::encode_data_string(value);
}

std::string millis(std::chrono::milliseconds delay) {
  return std::to_string(delay.count()) + "ms";
}

}  // namespace

// A complete list, gathered page by page before anything is applied.
struct Reflector::ListedObjects {
  std::vector<Node> nodes;
  std::vector<Pod> pods;
  size_t pages = 0;
};

Reflector::Reflector(ResourceKind kind, ApiClient& client, ClusterState& state, LogSink log,
                     ReflectorOptions options)
    : kind_(kind),
      client_(client),
      state_(state),
      log_(std::move(log)),
      options_(options),
      backoff_(options.backoff) {}

Reflector::~Reflector() {
  stop();
}

void Reflector::start() {
  if (thread_.joinable() || stopping()) return;
  thread_ = std::thread([this] { run(); });
}

void Reflector::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

ReflectorStatus Reflector::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void Reflector::log(const std::string& message) const {
  if (log_) log_(std::string(resource_name(kind_)) + ": " + message);
}

void Reflector::run() {
  std::string resource_version;
  bool need_list = true;
  bool paged = true;
  bool first_watch = true;
  while (!stopping()) {
    if (need_list) {
      ListResult listed = list(paged);
      if (stopping()) return;
      if (listed.outcome == Outcome::Expired) {
        // client-go's pager does the same: a full list in one response cannot expire mid-way.
        log(listed.error + "; listing again without paging");
        paged = false;
        continue;
      }
      if (listed.outcome == Outcome::Failed) {
        record_failure(listed.error);
        if (!wait_backoff()) return;
        continue;
      }
      paged = true;
      need_list = false;
      resource_version = listed.resource_version;
      record_success();
    }
    if (!first_watch) {
      std::lock_guard lock(mutex_);
      ++status_.watch_restarts;
    }
    first_watch = false;
    std::string error;
    const Outcome watched = watch(resource_version, error);
    if (stopping()) return;
    if (watched == Outcome::Expired) {
      log(error + "; listing again");
      need_list = true;
    } else if (watched == Outcome::Failed) {
      record_failure(error);
      if (!wait_backoff()) return;
    }
  }
}

Reflector::ListResult Reflector::list(bool paged) {
  // Read before the first page is requested: pods kube-scheduler tells us about from now on may be
  // missing from the list and must survive its replace.
  const uint64_t listed_since =
      state_.inspect([](const EpcLedger& ledger) { return ledger.generation(); });
  ListedObjects objects;
  ListResult result;
  if (Result<void> fetched = fetch_pages(paged, objects, result); !fetched) {
    result.error = fetched.error().message;
    return result;
  }
  apply_list(objects, listed_since);
  const size_t count = kind_ == ResourceKind::Nodes ? objects.nodes.size() : objects.pods.size();
  log("listed " + std::to_string(count) + " " + std::string(resource_name(kind_)) +
      " at resourceVersion " + result.resource_version + " in " + std::to_string(objects.pages) +
      (objects.pages == 1 ? " page" : " pages"));
  result.outcome = Outcome::Ok;
  return result;
}

Result<void> Reflector::fetch_pages(bool paged, ListedObjects& objects, ListResult& result) {
  std::string continue_token;
  do {
    std::string path = resource_path(kind_);
    if (paged) path += "?limit=" + std::to_string(options_.page_size);
    if (!continue_token.empty()) path += "&continue=" + encode(continue_token);
    ApiResponse response = client_.get(path, cancel_.get_token()).get();
    if (!response.ok()) {
      if (response.status == kGone) result.outcome = Outcome::Expired;
      return make_error("list " + path + ": " + response.describe());
    }
    pad_body(response.body);
    Result<ListPage> page = decode_list_page(parsers_, response.body, kind_, state_.resources());
    if (!page) return make_error("list " + path + ": " + page.error().message);
    for (const Error& error : page->item_errors) {
      log("skipping an unreadable item: " + error.message);
    }
    {
      std::lock_guard lock(mutex_);
      status_.decode_errors += page->item_errors.size();
    }
    for (Node& node : page->nodes) objects.nodes.push_back(std::move(node));
    for (Pod& pod : page->pods) objects.pods.push_back(std::move(pod));
    ++objects.pages;
    // Every page of a paged list reports the first page's version: the snapshot it came from.
    result.resource_version = page->resource_version;
    continue_token = page->continue_token;
  } while (!continue_token.empty() && !stopping());
  if (stopping()) return make_error("stopped");
  return {};
}

void Reflector::apply_list(const ListedObjects& objects, uint64_t listed_since) {
  std::vector<Error> errors;
  if (kind_ == ResourceKind::Nodes) {
    state_.modify([&](EpcLedger& ledger) { ledger.replace_nodes(objects.nodes); });
  } else {
    errors = state_.modify(
        [&](EpcLedger& ledger) { return ledger.replace_pods(objects.pods, listed_since); });
  }
  for (const Error& error : errors) log("skipping pod: " + error.message);
  std::lock_guard lock(mutex_);
  status_.decode_errors += errors.size();
  if (status_.synced) ++status_.relists;
  status_.synced = true;
  ++status_.lists;
}

Reflector::Outcome Reflector::watch(std::string& resource_version, std::string& error) {
  const std::string path =
      resource_path(kind_) +
      "?watch=true&allowWatchBookmarks=true&resourceVersion=" + encode(resource_version) +
      "&timeoutSeconds=" + std::to_string(options_.watch_timeout.count());
  watch_expired_ = false;
  WatchEnd end = client_
                     .watch(
                         path,
                         [this, &resource_version](std::string_view line) {
                           return handle_line(line, resource_version);
                         },
                         cancel_.get_token(),
                         [this] {
                           record_success();
                           std::lock_guard lock(mutex_);
                           status_.watching = true;
                         })
                     .get();
  {
    std::lock_guard lock(mutex_);
    status_.watching = false;
    status_.resource_version = resource_version;
  }
  if (end.http_status == kGone || watch_expired_) {
    error = end.result ? "watch expired" : end.result.error().message;
    return Outcome::Expired;
  }
  if (!end.result) {
    error = end.result.error().message;
    return Outcome::Failed;
  }
  return Outcome::Ok;
}

Result<void> Reflector::handle_line(std::string_view line, std::string& resource_version) {
  line_buffer_.assign(line);
  pad_body(line_buffer_);
  Result<WatchEvent> event = decode_watch_event(parsers_, line_buffer_, kind_, state_.resources());
  if (!event) {
    // The line was complete, so the stream itself is intact: skip the one event.
    log("skipping an unreadable watch event: " + event.error().message);
    std::lock_guard lock(mutex_);
    ++status_.decode_errors;
    return {};
  }
  if (event->type == WatchEventType::Error) {
    const ApiStatus& status = event->status;
    watch_expired_ = status.code == kGone;
    return make_error("watch error event: " + std::to_string(status.code) + " " + status.reason +
                      ": " + status.message);
  }
  if (event->type != WatchEventType::Bookmark) apply_event(*event);
  if (!event->resource_version.empty()) resource_version = event->resource_version;
  return {};
}

void Reflector::apply_event(const WatchEvent& event) {
  const bool deleted = event.type == WatchEventType::Deleted;
  Result<void> applied = state_.modify([&](EpcLedger& ledger) -> Result<void> {
    if (event.node) {
      if (deleted) {
        ledger.remove_node(event.node->name);
      } else {
        ledger.upsert_node(*event.node);
      }
      return {};
    }
    if (!event.pod) return {};
    if (deleted) {
      const Pod& pod = *event.pod;
      ledger.remove_pod(pod.uid.empty() ? pod.key() : pod.uid);
      return {};
    }
    return ledger.upsert_pod(*event.pod);
  });
  if (!applied) log("skipping pod event: " + applied.error().message);
  std::lock_guard lock(mutex_);
  status_.last_event = ReflectorStatus::Clock::now();
  if (applied) {
    ++status_.events_applied;
  } else {
    ++status_.decode_errors;
  }
}

void Reflector::record_success() {
  backoff_.reset();
  std::lock_guard lock(mutex_);
  status_.failing_since.reset();
  status_.last_error.clear();
}

void Reflector::record_failure(const std::string& error) {
  std::lock_guard lock(mutex_);
  if (!status_.failing_since) status_.failing_since = ReflectorStatus::Clock::now();
  status_.last_error = error;
}

bool Reflector::wait_backoff() {
  const std::chrono::milliseconds delay = backoff_.next();
  log(status().last_error + "; retrying in " + millis(delay));
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping(); });
}

}  // namespace epc
