// ApiFreshReader: the FreshReader that reads nodes and pods with GETs on the Kubernetes API.
//
// A GET without a resourceVersion is a consistent read: the API server answers from etcd (or,
// from Kubernetes 1.31, from a watch cache it first brings up to etcd's current revision), so the
// answer is at least as new as anything kube-scheduler's informer has seen. The planned reads go
// out at once and in parallel, so a recheck costs about one round trip. A token bucket bounds them
// across all filters (pods that really do not fit are retried by kube-scheduler on every cluster
// event); reads beyond it are not made and count as skipped.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "model/epc_resources.h"
#include "scheduler/extender/fresh_reader.h"
#include "scheduler/kube/api_client.h"
#include "scheduler/kube/token_bucket.h"
#include "scheduler/wire/json_reader.h"

namespace epc {

struct FreshReaderLimits {
  double reads_per_second = 50;  // on average, across all filters
  double burst = 100;            // at once
};

class ApiFreshReader : public FreshReader {
 public:
  // `client` must outlive the reader; its request timeout bounds how long a read may take.
  ApiFreshReader(ApiClient& client, EpcResources resources, FreshReaderLimits limits = {});
  void read(RecheckPlan plan, Done done) const override;

 private:
  // How many of `wanted` reads the budget allows now.
  size_t take_tokens(size_t wanted) const;
  struct Gathering;
  // Files one read's answer into the reads: `found` is the 2xx response (body padded), or null
  // for a 404. An error becomes the read's failure.
  using Take = std::function<Result<void>(ApiResponse* found, FreshReads& reads)>;
  // GETs `path` (empty: the name was not valid) and files the answer with `take`; `what` names
  // the object in failures.
  void get_into(const std::shared_ptr<Gathering>& gathering, std::string path, std::string what,
                Take take) const;

  ApiClient& client_;
  EpcResources resources_;
  mutable std::mutex mutex_;  // guards bucket_
  mutable TokenBucket bucket_;
  mutable JsonParserPool parsers_;
};

// Whether `name` may go into an API path as one segment: a DNS-1123 subdomain (what Kubernetes
// requires of node, namespace and pod names), so a name from a request can never reach another
// path.
bool valid_path_segment(std::string_view name);

}  // namespace epc
