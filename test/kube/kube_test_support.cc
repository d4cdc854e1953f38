#include "kube_test_support.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace epc::test {
namespace {

// Test-side reading of the quantities these tests write ("512Mi", "8Gi", "1048576"), kept
// independent of model/quantity so that the check does not share the code it checks.
int64_t quantity_bytes(const std::string& text) {
  static const std::map<std::string, int64_t> kUnits = {
      {"Ki", int64_t{1} << 10}, {"Mi", int64_t{1} << 20}, {"Gi", int64_t{1} << 30}};
  for (const auto& [suffix, factor] : kUnits) {
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
      return std::stoll(text.substr(0, text.size() - suffix.size())) * factor;
    }
  }
  return std::stoll(text);
}

int64_t pod_epc(const nlohmann::json& pod) {
  int64_t total = 0;
  for (const auto& container : pod["spec"].value("containers", nlohmann::json::array())) {
    const auto requests = container.value("resources", nlohmann::json::object())
                              .value("requests", nlohmann::json::object());
    if (requests.contains("sgx.intel.com/epc")) {
      total += quantity_bytes(requests["sgx.intel.com/epc"].get<std::string>());
    }
  }
  return total;
}

}  // namespace

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void write_file(const std::string& path, const std::string& text) {
  // Write-then-rename, as the kubelet replaces projected tokens: readers never see half a file.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(temporary, path);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json node_object(const std::string& name, const std::string& epc) {
  return {{"kind", "Node"},
          {"apiVersion", "v1"},
          {"metadata", {{"name", name}}},
          {"status",
           {{"allocatable", {{"sgx.intel.com/epc", epc}, {"cpu", "8"}}},
            {"capacity", {{"sgx.intel.com/epc", epc}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

nlohmann::json pod_object(const std::string& ns, const std::string& name, const std::string& epc,
                          const std::string& node, const std::string& phase) {
  nlohmann::json spec = {
      {"containers",
       {{{"name", "app"}, {"resources", {{"requests", {{"sgx.intel.com/epc", epc}}}}}}}}};
  if (!node.empty()) spec["nodeName"] = node;
  return {{"kind", "Pod"},
          {"apiVersion", "v1"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", spec},
          {"status", {{"phase", phase}}}};
}

nlohmann::json replica_set_pod(const std::string& ns, const std::string& name,
                               const std::string& epc, const std::string& node,
                               const std::string& app, const std::string& created) {
  nlohmann::json pod = pod_object(ns, name, epc, node);
  nlohmann::json& meta = pod["metadata"];
  meta["uid"] = "uid-" + name;
  meta["labels"] = {{"app", app}};
  meta["creationTimestamp"] = created;
  meta["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                              {"kind", "ReplicaSet"},
                              {"name", app + "-1"},
                              {"uid", "rs-" + app},
                              {"controller", true}}};
  return pod;
}

std::string convergence_diff(const ClusterState& state, const FakeApiServer& server) {
  const nlohmann::json objects = server.control_get("state")["objects"];
  std::map<std::string, int64_t> expected;  // node → committed EPC
  for (const auto& object : objects) {
    if (object["kind"] == "Node") expected.emplace(object["metadata"]["name"], 0);
  }
  for (const auto& object : objects) {
    if (object["kind"] != "Pod") continue;
    const std::string node = object["spec"].value("nodeName", "");
    const std::string phase = object.value("status", nlohmann::json::object()).value("phase", "");
    if (node.empty() || phase == "Succeeded" || phase == "Failed") continue;
    if (auto found = expected.find(node); found != expected.end()) {
      found->second += pod_epc(object);
    }
  }
  const auto snapshot = state.snapshot();
  std::ostringstream diff;
  for (const auto& [node, bytes] : expected) {
    if (snapshot->node(node) == nullptr) {
      diff << "node " << node << " missing; ";
      continue;
    }
    const int64_t committed = snapshot->committed_bytes(node);
    if (committed != bytes) {
      diff << "node " << node << ": committed " << committed << ", server " << bytes << "; ";
    }
  }
  for (const auto& [node, record] : snapshot->nodes()) {
    if (!expected.contains(node)) diff << "node " << node << " not on the server; ";
  }
  return diff.str();
}

std::string wait_converged(const ClusterState& state, const FakeApiServer& server) {
  std::string diff;
  wait_until([&] {
    diff = convergence_diff(state, server);
    return diff.empty();
  });
  return diff;
}

bool make_pki(const std::string& dir, const std::string& server_san) {
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
  const std::string quiet = " >/dev/null 2>&1";
  const std::string cd = "cd '" + dir + "' && ";
  write_file(dir + "/server.ext",
             "subjectAltName=" + server_san + "\nextendedKeyUsage=serverAuth\n");
  write_file(dir + "/client.ext", "extendedKeyUsage=clientAuth\n");
  std::string script = cd + "openssl req -x509" + ec +
                       "-keyout ca.key -out ca.crt -days 1 -subj /CN=epc-test-ca "
                       "-addext basicConstraints=critical,CA:TRUE "
                       "-addext keyUsage=critical,keyCertSign,cRLSign" +
                       quiet;
  for (const std::string name : {"server", "client"}) {
    script += " && openssl req -new" + ec + "-keyout " + name + ".key -out " + name +
              ".csr -subj /CN=" + name + quiet + " && openssl x509 -req -in " + name +
              ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -out " + name +
              ".crt -days 1 -extfile " + name + ".ext" + quiet;
  }
  return std::system(script.c_str()) == 0;
}

std::string filter_request(const std::string& pod, const std::string& epc) {
  return nlohmann::json{
      {"Pod",
       {{"metadata", {{"name", pod}, {"namespace", "default"}, {"uid", "uid-" + pod}}},
        {"spec",
         {{"containers",
           {{{"name", "c"},
             {"resources",
              {{"requests", {{"sgx.intel.com/epc", epc}}},
               {"limits", {{"sgx.intel.com/epc", epc}}}}}}}}}},
        {"status", {{"phase", "Pending"}}}}},
      {"Nodes", nullptr},
      {"NodeNames", {"sgx-a"}}}
      .dump();
}

}  // namespace epc::test
