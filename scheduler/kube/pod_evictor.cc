#include "scheduler/kube/pod_evictor.h"

#include <exception>
#include <utility>

#include "scheduler/wire/json_writer.h"

namespace epc {
namespace {

std::string eviction_json(const std::string& pod_namespace, const std::string& pod_name,
                          const std::string& pod_uid) {
  std::string out = R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":)";
  append_json_string(out, pod_name);
  out += R"(,"namespace":)";
  append_json_string(out, pod_namespace);
  out += '}';
  if (!pod_uid.empty()) {
    out += R"(,"deleteOptions":{"preconditions":{"uid":)";
    append_json_string(out, pod_uid);
    out += "}}";
  }
  out += '}';
  return out;
}

}  // namespace

EvictionOutcome eviction_outcome(int http_status) {
  switch (http_status) {
    case 200:
    case 201:
      return EvictionOutcome::kEvicted;
    case 404:
      return EvictionOutcome::kGone;
    case 429:
      return EvictionOutcome::kRefused;
    default:
      return EvictionOutcome::kFailed;
  }
}

pplx::task<EvictionResult> evict_pod(ApiClient& client, std::string pod_namespace,
                                     std::string pod_name, std::string pod_uid) {
  if (pod_namespace.empty() || pod_name.empty()) {
    return pplx::task_from_result(EvictionResult{
        EvictionOutcome::kFailed, 0,
        "evicting \"" + pod_namespace + "/" + pod_name + "\": a pod needs a namespace and a name"});
  }
  const std::string path =
      "/api/v1/namespaces/" + pod_namespace + "/pods/" + pod_name + "/eviction";
  return client
      .write(web::http::methods::POST, path, eviction_json(pod_namespace, pod_name, pod_uid))
      .then([](pplx::task<ApiResponse> sent) {
        ApiResponse reply;
        try {
          reply = sent.get();
        } catch (const std::exception& error) {
          reply = ApiResponse{0, {}, error.what()};
        }
        // A body lost after the status line does not change what the status says.
        const int status = reply.status;
        const EvictionOutcome outcome = eviction_outcome(status);
        return EvictionResult{outcome, status,
                              outcome == EvictionOutcome::kEvicted ? "" : reply.describe()};
      });
}

}  // namespace epc
