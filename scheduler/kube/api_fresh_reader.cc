#include "scheduler/kube/api_fresh_reader.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/kube/watch_event.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {

// The answers gathered so far; the last one to arrive calls `done`.
struct ApiFreshReader::Gathering {
  std::mutex mutex;
  FreshReads reads;
  size_t left = 0;
  FreshReader::Done done;

  void finish_one() {
    FreshReads all;
    {
      std::lock_guard lock(mutex);
      if (--left > 0) return;
      all = std::move(reads);
    }
    done(std::move(all));
  }
};

namespace {

ApiResponse response_of(pplx::task<ApiResponse>& sent) {
  try {
    return sent.get();
  } catch (const std::exception& e) {
    return ApiResponse{0, {}, e.what()};
  }
}

}  // namespace

bool valid_path_segment(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return name.front() != '.' && name.front() != '-' && name != ".." && name != ".";
}

ApiFreshReader::ApiFreshReader(ApiClient& client, EpcResources resources, FreshReaderLimits limits)
    : client_(client),
      resources_(std::move(resources)),
      bucket_(limits.reads_per_second, limits.burst, TokenBucket::Clock::now()) {}

size_t ApiFreshReader::take_tokens(size_t wanted) const {
  std::lock_guard lock(mutex_);
  const TokenBucket::Clock::time_point now = TokenBucket::Clock::now();
  size_t granted = 0;
  while (granted < wanted && bucket_.try_take(now)) ++granted;
  return granted;
}

void ApiFreshReader::read(RecheckPlan plan, Done done) const {
  // The plan comes most promising first, nodes before pods: the budget cuts from the end.
  const size_t granted = take_tokens(plan.reads());
  const size_t nodes = std::min(granted, plan.nodes.size());
  const size_t pods = std::min(granted - nodes, plan.pods.size());
  auto gathering = std::make_shared<Gathering>();
  gathering->reads.skipped = plan.reads() - nodes - pods;
  gathering->done = std::move(done);
  gathering->left = nodes + pods + 1;  // +1: this call's own, so nothing finishes before all left

  for (size_t i = 0; i < nodes; ++i) {
    const std::string name = std::move(plan.nodes[i]);
    const bool valid = valid_path_segment(name);
    get_into(gathering, valid ? "/api/v1/nodes/" + name : "", "node " + name,
             [this, name](ApiResponse* found, FreshReads& reads) -> Result<void> {
               if (found == nullptr) {
                 reads.nodes.push_back({name, std::nullopt});
                 return {};
               }
               Result<Node> node = decode_node_object(parsers_, found->body, resources_);
               if (!node) return node.error();
               reads.nodes.push_back({name, std::move(*node)});
               return {};
             });
  }
  for (size_t i = 0; i < pods; ++i) {
    HeldPod held = std::move(plan.pods[i]);
    const bool valid = valid_path_segment(held.namespace_name) && valid_path_segment(held.name);
    std::string path =
        valid ? "/api/v1/namespaces/" + held.namespace_name + "/pods/" + held.name : "";
    std::string what = "pod " + held.namespace_name + "/" + held.name;
    get_into(gathering, std::move(path), std::move(what),
             [this, held = std::move(held)](ApiResponse* found, FreshReads& reads) -> Result<void> {
               if (found == nullptr) {
                 reads.pods.push_back({held, std::nullopt});
                 return {};
               }
               Result<Pod> pod = decode_pod_object(parsers_, found->body, resources_);
               if (!pod) return pod.error();
               reads.pods.push_back({held, std::move(*pod)});
               return {};
             });
  }
  gathering->finish_one();
}

void ApiFreshReader::get_into(const std::shared_ptr<Gathering>& gathering, std::string path,
                              std::string what, Take take) const {
  const auto file = [gathering, what, take = std::move(take)](ApiResponse* response) {
    Result<void> taken;
    {
      std::lock_guard lock(gathering->mutex);
      if (response == nullptr) {
        taken = make_error("not a valid name for an API path");
      } else if (response->status == 404 && response->transport_error.empty()) {
        taken = take(nullptr, gathering->reads);
      } else if (!response->ok()) {
        taken = make_error(response->describe());
      } else {
        pad_body(response->body);
        taken = take(response, gathering->reads);
      }
      if (!taken) {
        gathering->reads.failures.push_back(make_error(what + ": " + taken.error().message));
      }
    }
    gathering->finish_one();
  };
  if (path.empty()) return file(nullptr);
  client_.get(std::move(path)).then([file](pplx::task<ApiResponse> sent) {
    ApiResponse response = response_of(sent);
    file(&response);
  });
}

}  // namespace epc
