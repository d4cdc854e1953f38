// KubeConnection: where the Kubernetes API server is and how to authenticate to it, read from the
// in-cluster service account or from a kubeconfig file.
//
// Only what epc-extender needs of client-go's rest.Config: server URL, CA, bearer token (a file is
// re-read when it changes, because projected service-account tokens rotate), client certificate and
// key, insecure-skip-verify and TLS server name. Plain http:// servers are accepted for local test
// API servers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/result.h"

namespace epc {

struct KubeConnection {
  std::string server;  // "https://10.0.0.1:443", "http://127.0.0.1:8080"
  std::string ca_file;
  std::string ca_data;  // PEM; wins over ca_file
  std::string client_cert_file;
  std::string client_cert_data;  // PEM; wins over the file
  std::string client_key_file;
  std::string client_key_data;  // PEM; wins over the file
  std::string token;            // a fixed bearer token
  std::string token_file;       // re-read when it changes; wins over `token`
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
};

using GetEnv = std::function<std::optional<std::string>(std::string_view name)>;

// KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT, `<service_account_dir>/token` and `ca.crt`
// (default dir /var/run/secrets/kubernetes.io/serviceaccount), as client-go's InClusterConfig.
Result<KubeConnection> in_cluster_connection(
    const GetEnv& getenv,
    const std::string& service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// The kubeconfig's current context (or `context` when given): cluster server, CA file or data,
// insecure-skip-tls-verify, tls-server-name; user token, tokenFile, client cert/key file or data.
// Relative file paths are resolved against the kubeconfig's directory, as kubectl does. Errors name
// the file and the missing or bad entry.
Result<KubeConnection> load_kubeconfig(const std::string& path, const std::string& context = "");

// What serve and consolidate connect with: `kubeconfig` when given, otherwise the in-cluster
// service account read from this process's environment. Its error says how to run outside a
// cluster.
Result<KubeConnection> connection_for(const std::optional<std::string>& kubeconfig);

}  // namespace epc
