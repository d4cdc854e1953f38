#include "scheduler/kube/cluster_lister.h"

#include <string>
#include <utility>

#include "scheduler/wire/extender_codec.h"

namespace epc {

Result<ClusterObjects> list_cluster(ApiClient& client, const EpcResources& epc) {
  ClusterObjects cluster;
  for (const char* path :
       {"/api/v1/nodes", "/api/v1/pods", "/apis/policy/v1/poddisruptionbudgets"}) {
    const auto fail = [&](const std::string& why) {
      return make_error(std::string("listing ") + path + ": " + why);
    };
    ApiResponse response = client.get(path).get();
    if (!response.ok()) return fail(response.describe());
    pad_body(response.body);
    Result<ClusterObjects> objects =
        read_cluster_objects(response.body, epc, PodDetail::kDisruption);
    if (!objects) return fail(objects.error().message);
    append_objects(cluster, std::move(*objects));
  }
  return cluster;
}

}  // namespace epc
