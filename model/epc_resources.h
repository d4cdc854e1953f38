// EpcResources: which extended resource names mean SGX EPC, and in what unit each is counted.
//
// Device plugins publish EPC under different names and units: `sgx.intel.com/epc` in bytes (Intel,
// current AKS), `kubernetes.azure.com/sgx_epc_mem_in_MiB` and `alibabacloud.com/sgx_epc_MiB` as
// bare MiB counts. Everything inside the model is bytes; this is the one place that knows the
// units, so a bare "10" under the Intel name stays 10 bytes (the trap that broke MarbleRun,
// marblerun#183).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/resource_list.h"
#include "model/result.h"

namespace epc {

struct EpcResource {
  std::string name;
  int64_t bytes_per_unit = 1;
};

// An amount of EPC under one resource name, in bytes.
struct EpcAmount {
  std::string resource;
  int64_t bytes = 0;
};

class EpcResources {
 public:
  // sgx.intel.com/epc (bytes), kubernetes.azure.com/sgx_epc_mem_in_MiB (MiB),
  // alibabacloud.com/sgx_epc_MiB (MiB), in that order of preference.
  static EpcResources defaults();

  explicit EpcResources(std::vector<EpcResource> resources);

  const EpcResource* find(std::string_view name) const;
  bool is_epc(std::string_view name) const { return find(name) != nullptr; }
  const std::vector<EpcResource>& all() const { return resources_; }
  // "sgx.intel.com/epc, kubernetes.azure.com/sgx_epc_mem_in_MiB, ...", built once: filter
  // reasons list it for every node without EPC.
  const std::string& names_text() const { return names_text_; }

  // Converts a quantity given for `resource` to bytes. Errors name the resource and echo the text,
  // e.g. `sgx.intel.com/epc: invalid quantity "1.5": not a whole number`; negative values and
  // products that overflow int64 are errors too.
  Result<int64_t> to_bytes(const EpcResource& resource, std::string_view quantity) const;

 private:
  std::vector<EpcResource> resources_;
  std::string names_text_;
};

}  // namespace epc
