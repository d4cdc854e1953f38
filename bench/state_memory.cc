// state_memory: how much memory the extender's view of a large cluster takes.
//
//   state_memory [--nodes 5000] [--pods 100000]
//
// It lists the nodes and then the pods into a ClusterState the way the API source applies a list
// (EpcLedger::replace_nodes, then replace_pods in one batch), and reports the process's resident
// set (VmRSS in /proc/self/status) before, after the nodes and after the pods, with the cost per
// node and per pod; then after malloc_trim (the state alone, without the allocator's cache of the
// freed lists); and the peak (VmHWM), which includes the pod list held until it is applied.
//
// Objects are built directly, the way the decoders leave them: AKS-like nodes with the labels
// gen_extender_args.py gives them (half confidential, 32 GiB of EPC), resource lists with EPC only;
// pods with Kubernetes-shaped names and UIDs, one or two containers, spread evenly over the nodes,
// those on confidential nodes requesting 32 MiB to 1 GiB of EPC (requests and limits), the others
// none. Exit code 1 when the ledger does not end up holding every node and pod.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <malloc.h>

#include "bench/aks_nodes.h"
#include "model/cluster_state.h"
#include "model/epc_resources.h"

namespace {

constexpr int64_t kGiB = int64_t{1} << 30;
constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int kNamespaces = 40;

// A field of /proc/self/status, in KiB ("VmRSS:     1234 kB"); 0 when absent.
int64_t status_kib(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  return 0;
}

using epc::bench::confidential;
using epc::bench::make_node;
using epc::bench::node_name;

// Kubernetes-shaped identities: "<app>-<replicaset hash>-<suffix>" and a random UUID.
class PodFactory {
 public:
  epc::Pod make(int index, int node_index) {
    epc::Pod pod;
    const int app = index % 500;
    pod.namespace_name = "team-" + std::to_string(app % kNamespaces);
    pod.name = "service-" + std::to_string(app) + "-" + hex(10) + "-" + hex(5);
    pod.uid = hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12);
    pod.node_name = node_name(node_index);
    pod.phase = epc::PodPhase::Running;
    const int containers = 1 + index % 2;
    for (int c = 0; c < containers; ++c) {
      epc::ContainerResources container{
          .requests = {}, .limits = {}, .name = c == 0 ? "app" : "sidecar"};
      if (c == 0 && confidential(node_index)) {
        const std::string epc = std::to_string(epc_bytes());
        container.requests = {{"sgx.intel.com/epc", epc}};
        container.limits = {{"sgx.intel.com/epc", epc}};
      }
      pod.containers.push_back(std::move(container));
    }
    return pod;
  }

 private:
  std::string hex(int digits) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text(static_cast<size_t>(digits), '0');
    for (char& c : text) c = kDigits[random_() % 16];
    return text;
  }
  // 32 MiB to 1 GiB, mostly small: at 20 pods a node this stays within the node's 32 GiB.
  int64_t epc_bytes() { return (32 * kMiB) << (random_() % 6); }

  std::mt19937_64 random_{1};
};

struct Reading {
  int64_t rss_kib;
  int64_t peak_kib;
};

Reading read_memory() {
  return {status_kib("VmRSS"), status_kib("VmHWM")};
}

double mib(int64_t kib) {
  return static_cast<double>(kib) / 1024.0;
}

// The value of `--flag N`, or `fallback`; 0 when N is not a positive number.
int parse_count(int argc, char** argv, std::string_view flag, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (flag != argv[i]) continue;
    char* end = nullptr;
    const long value = std::strtol(argv[i + 1], &end, 10);
    return *end == '\0' && value > 0 && value <= 10'000'000 ? static_cast<int>(value) : 0;
  }
  return fallback;
}

// Lists `count` nodes into `state` as one change, as the node reflector applies a list.
void list_nodes(epc::ClusterState& state, int count) {
  std::vector<epc::Node> nodes;
  nodes.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) nodes.push_back(make_node(i));
  state.modify([&](epc::EpcLedger& ledger) { ledger.replace_nodes(nodes); });
}

// Lists `count` pods bound round-robin to `node_count` nodes, as the pod reflector applies a list.
void list_pods(epc::ClusterState& state, int count, int node_count) {
  PodFactory factory;
  std::vector<epc::Pod> pods;
  pods.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) pods.push_back(factory.make(i, i % node_count));
  const std::vector<epc::Error> errors =
      state.modify([&](epc::EpcLedger& ledger) { return ledger.replace_pods(pods, 0); });
  for (const epc::Error& error : errors) std::cerr << error.message << "\n";
}

// Bytes per item of the growth from `from` to `to` (KiB).
double bytes_each(int64_t from_kib, int64_t to_kib, int items) {
  return 1024.0 * static_cast<double>(to_kib - from_kib) / items;
}

}  // namespace

int main(int argc, char** argv) {
  const int node_count = parse_count(argc, argv, "--nodes", 5000);
  const int pod_count = parse_count(argc, argv, "--pods", 100000);
  if (node_count == 0 || pod_count == 0) {
    std::cerr << "usage: state_memory [--nodes N] [--pods N]   (N > 0)\n";
    return 2;
  }

  epc::ClusterState state(epc::EpcResources::defaults());
  const Reading before = read_memory();
  list_nodes(state, node_count);
  const Reading with_nodes = read_memory();
  list_pods(state, pod_count, node_count);
  const Reading with_pods = read_memory();
  // What the state itself holds: the allocator keeps the freed lists' memory for reuse, as the
  // process would after a list, but that memory is not the state's.
  malloc_trim(0);
  const Reading trimmed = read_memory();

  const auto [nodes_held, pods_held] = state.inspect([](const epc::EpcLedger& ledger) {
    return std::pair{ledger.node_count(), ledger.pod_count()};
  });
  int64_t committed = 0;
  for (const auto& [name, record] : state.snapshot()->nodes()) committed += record.committed_bytes;

  std::printf("nodes %zu, pods %zu, EPC committed %.1f GiB\n", nodes_held, pods_held,
              static_cast<double>(committed) / static_cast<double>(kGiB));
  std::printf("RSS before            %8.1f MiB\n", mib(before.rss_kib));
  std::printf("RSS with nodes        %8.1f MiB  (%.0f bytes per node)\n", mib(with_nodes.rss_kib),
              bytes_each(before.rss_kib, with_nodes.rss_kib, node_count));
  std::printf("RSS with nodes+pods   %8.1f MiB  (%.0f bytes per pod)\n", mib(with_pods.rss_kib),
              bytes_each(with_nodes.rss_kib, with_pods.rss_kib, pod_count));
  std::printf("RSS after malloc_trim %8.1f MiB  (the state alone: %.1f MiB)\n",
              mib(trimmed.rss_kib), mib(trimmed.rss_kib - before.rss_kib));
  std::printf("RSS peak (VmHWM)      %8.1f MiB  (with the pod list held while it is applied)\n",
              mib(with_pods.peak_kib));
  const bool complete =
      nodes_held == static_cast<size_t>(node_count) && pods_held == static_cast<size_t>(pod_count);
  return complete ? 0 : 1;
}
