#include "scheduler/kube/node_taint_writer.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

// The patch that makes the change on `node`, or nothing when the node needs no change.
using PatchFor = std::function<std::optional<std::string>(const NodeTaints& node)>;

struct TaintJob {
  ApiClient* client;
  std::string node;
  PatchFor patch_for;
};

ApiResponse answer_of(pplx::task<ApiResponse>& sent) {
  try {
    return sent.get();
  } catch (const std::exception& error) {
    return ApiResponse{0, {}, error.what()};
  }
}

Error not_found(const TaintJob& job) {
  return make_error("node \"" + job.node + "\" not found");
}

pplx::task<Result<TaintChange>> attempt(std::shared_ptr<const TaintJob> job, int number);

// What to do with the PATCH's answer: done, an error, or (the node changed after our read)
// another attempt.
pplx::task<Result<TaintChange>> on_patched(std::shared_ptr<const TaintJob> job, int number,
                                           const ApiResponse& reply) {
  if (reply.ok()) return pplx::task_from_result(Result<TaintChange>(TaintChange::kChanged));
  if (reply.status == 404) return pplx::task_from_result(Result<TaintChange>(not_found(*job)));
  if (reply.status == 422 || reply.status == 409) {
    if (number < kTaintAttempts) return attempt(std::move(job), number + 1);
    return pplx::task_from_result(Result<TaintChange>(
        make_error("patching node \"" + job->node + "\": it changed under each of " +
                   std::to_string(kTaintAttempts) + " attempts; last answer " + reply.describe())));
  }
  return pplx::task_from_result(
      Result<TaintChange>(make_error("patching node \"" + job->node + "\": " + reply.describe())));
}

pplx::task<Result<TaintChange>> attempt(std::shared_ptr<const TaintJob> job, int number) {
  const std::string path = "/api/v1/nodes/" + job->node;
  return job->client->get(path).then(
      [job, number, path](pplx::task<ApiResponse> sent) -> pplx::task<Result<TaintChange>> {
        ApiResponse reply = answer_of(sent);
        if (reply.status == 404) {
          return pplx::task_from_result(Result<TaintChange>(not_found(*job)));
        }
        if (!reply.ok()) {
          return pplx::task_from_result(Result<TaintChange>(
              make_error("reading node \"" + job->node + "\": " + reply.describe())));
        }
        pad_body(reply.body);
        Result<NodeTaints> taints = read_node_taints(reply.body);
        if (!taints) {
          return pplx::task_from_result(Result<TaintChange>(
              make_error("reading node \"" + job->node + "\": " + taints.error().message)));
        }
        std::optional<std::string> patch = job->patch_for(*taints);
        if (!patch) return pplx::task_from_result(Result<TaintChange>(TaintChange::kUnchanged));
        return job->client
            ->write(web::http::methods::PATCH, path, std::move(*patch),
                    "application/json-patch+json")
            .then([job, number](pplx::task<ApiResponse> patched) {
              return on_patched(job, number, answer_of(patched));
            });
      });
}

pplx::task<Result<TaintChange>> change(ApiClient& client, std::string node, PatchFor patch_for) {
  if (node.empty()) {
    return pplx::task_from_result(Result<TaintChange>(make_error("tainting a node: no node name")));
  }
  auto job =
      std::make_shared<const TaintJob>(TaintJob{&client, std::move(node), std::move(patch_for)});
  // A continuation that throws (it should not) still ends as an error, never as an exception.
  return attempt(job, 1).then([job](pplx::task<Result<TaintChange>> done) {
    try {
      return done.get();
    } catch (const std::exception& error) {
      return Result<TaintChange>(
          make_error("patching node \"" + job->node + "\": " + error.what()));
    }
  });
}

// The index of the taint with `key` and `effect` in `taints`, or nothing.
std::optional<size_t> find_taint(const std::vector<NodeTaintSpec>& taints, const std::string& key,
                                 const std::string& effect) {
  const auto found = std::find_if(taints.begin(), taints.end(), [&](const NodeTaintSpec& taint) {
    return taint.key == key && taint.effect == effect;
  });
  if (found == taints.end()) return std::nullopt;
  return static_cast<size_t>(found - taints.begin());
}

}  // namespace

pplx::task<Result<TaintChange>> add_node_taint(ApiClient& client, std::string node,
                                               NodeTaintSpec taint) {
  return change(
      client, std::move(node),
      [taint = std::move(taint)](const NodeTaints& current) -> std::optional<std::string> {
        if (find_taint(current.taints, taint.key, taint.effect)) return std::nullopt;
        return encode_add_taint_patch(current.resource_version, !current.taints.empty(), taint);
      });
}

pplx::task<Result<TaintChange>> remove_node_taint(ApiClient& client, std::string node,
                                                  std::string key, std::string effect) {
  return change(client, std::move(node),
                [key = std::move(key), effect = std::move(effect)](
                    const NodeTaints& current) -> std::optional<std::string> {
                  const std::optional<size_t> index = find_taint(current.taints, key, effect);
                  if (!index) return std::nullopt;
                  return encode_remove_taint_patch(current.resource_version, *index);
                });
}

}  // namespace epc
