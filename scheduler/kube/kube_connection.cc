#include "scheduler/kube/kube_connection.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "scheduler/kube/base64.h"

namespace epc {
namespace {

Result<std::string> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("cannot read " + std::string(what) + " " + path + ": " +
                      std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// kubectl resolves relative paths against the directory of the kubeconfig that names them.
std::string resolve(const std::filesystem::path& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (base_dir / path).lexically_normal().string();
}

// Entries of a kubeconfig list (`clusters`, `users`, `contexts`) are `{name, <body_key>: {...}}`.
Result<YAML::Node> find_named(const YAML::Node& root, const std::string& list_key,
                              const std::string& body_key, const std::string& name) {
  const YAML::Node list = root[list_key];
  if (list && !list.IsSequence()) return make_error(list_key + ": expected a list");
  if (list) {
    for (const YAML::Node& entry : list) {
      if (!entry.IsMap() || !entry["name"] || entry["name"].as<std::string>() != name) continue;
      const YAML::Node body = entry[body_key];
      if (body && !body.IsMap()) {
        return make_error(list_key + "[name=" + name + "]." + body_key + ": expected a map");
      }
      return body ? body : YAML::Node(YAML::NodeType::Map);
    }
  }
  return make_error(body_key + " \"" + name + "\" not found in " + list_key);
}

std::string scalar(const YAML::Node& map, const std::string& key) {
  const YAML::Node value = map[key];
  return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

Result<std::string> decode_data(const YAML::Node& map, const std::string& key) {
  const std::string text = scalar(map, key);
  if (text.empty()) return std::string();
  Result<std::string> decoded = decode_base64(text);
  if (!decoded) return make_error(key + ": " + decoded.error().message);
  return decoded;
}

Result<void> read_cluster(const YAML::Node& cluster, const std::filesystem::path& base_dir,
                          KubeConnection& out) {
  out.server = scalar(cluster, "server");
  if (out.server.empty()) return make_error("cluster has no server");
  out.ca_file = resolve(base_dir, scalar(cluster, "certificate-authority"));
  Result<std::string> ca = decode_data(cluster, "certificate-authority-data");
  if (!ca) return ca.error();
  out.ca_data = std::move(*ca);
  if (const YAML::Node insecure = cluster["insecure-skip-tls-verify"]) {
    out.insecure_skip_tls_verify = insecure.as<bool>();
  }
  out.tls_server_name = scalar(cluster, "tls-server-name");
  return {};
}

// Credential plugins run arbitrary programs with their own caching rules; supporting them is a
// project of its own, so they are refused by name rather than silently ignored.
Result<void> read_user(const YAML::Node& user, const std::filesystem::path& base_dir,
                       KubeConnection& out) {
  for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
    if (user[unsupported]) {
      return make_error(std::string("user authentication by \"") + unsupported +
                        "\" is not supported (use token, tokenFile or a client certificate)");
    }
  }
  out.token = scalar(user, "token");
  out.token_file = resolve(base_dir, scalar(user, "tokenFile"));
  out.client_cert_file = resolve(base_dir, scalar(user, "client-certificate"));
  out.client_key_file = resolve(base_dir, scalar(user, "client-key"));
  Result<std::string> cert = decode_data(user, "client-certificate-data");
  if (!cert) return cert.error();
  out.client_cert_data = std::move(*cert);
  Result<std::string> key = decode_data(user, "client-key-data");
  if (!key) return key.error();
  out.client_key_data = std::move(*key);
  return {};
}

Result<KubeConnection> read_kubeconfig(const YAML::Node& root,
                                       const std::filesystem::path& base_dir,
                                       const std::string& context_name) {
  std::string name = context_name;
  if (name.empty()) name = scalar(root, "current-context");
  if (name.empty()) return make_error("no current-context set and no context given");
  Result<YAML::Node> context = find_named(root, "contexts", "context", name);
  if (!context) return context.error();
  const std::string cluster_name = scalar(*context, "cluster");
  if (cluster_name.empty()) return make_error("context \"" + name + "\" names no cluster");
  Result<YAML::Node> cluster = find_named(root, "clusters", "cluster", cluster_name);
  if (!cluster) return make_error("context \"" + name + "\": " + cluster.error().message);
  KubeConnection connection;
  if (Result<void> done = read_cluster(*cluster, base_dir, connection); !done) {
    return make_error("cluster \"" + cluster_name + "\": " + done.error().message);
  }
  const std::string user_name = scalar(*context, "user");
  if (user_name.empty()) return connection;  // anonymous, as kubectl allows
  Result<YAML::Node> user = find_named(root, "users", "user", user_name);
  if (!user) return make_error("context \"" + name + "\": " + user.error().message);
  if (Result<void> done = read_user(*user, base_dir, connection); !done) {
    return make_error("user \"" + user_name + "\": " + done.error().message);
  }
  return connection;
}

}  // namespace

Result<KubeConnection> in_cluster_connection(const GetEnv& getenv,
                                             const std::string& service_account_dir) {
  const std::optional<std::string> host = getenv("KUBERNETES_SERVICE_HOST");
  if (!host || host->empty()) {
    return make_error("not running in a cluster: KUBERNETES_SERVICE_HOST is not set");
  }
  const std::optional<std::string> port = getenv("KUBERNETES_SERVICE_PORT");
  if (!port || port->empty()) {
    return make_error("not running in a cluster: KUBERNETES_SERVICE_PORT is not set");
  }
  KubeConnection connection;
  const bool ipv6 = host->find(':') != std::string::npos;
  connection.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
  connection.token_file = service_account_dir + "/token";
  connection.ca_file = service_account_dir + "/ca.crt";
  // Checked now so that a missing mount is reported at startup, not as a failing request later.
  for (const auto& [path, what] : {std::pair{connection.token_file, "service-account token"},
                                   std::pair{connection.ca_file, "service-account CA"}}) {
    if (Result<std::string> text = read_file(path, what); !text) return text.error();
  }
  return connection;
}

Result<KubeConnection> load_kubeconfig(const std::string& path, const std::string& context) {
  Result<std::string> text = read_file(path, "kubeconfig");
  if (!text) return text.error();
  try {
    const YAML::Node root = YAML::Load(*text);
    if (!root.IsMap()) return make_error("kubeconfig " + path + ": expected a map");
    const auto base_dir = std::filesystem::absolute(path).parent_path();
    Result<KubeConnection> connection = read_kubeconfig(root, base_dir, context);
    if (!connection) return make_error("kubeconfig " + path + ": " + connection.error().message);
    connection->token = trim(std::move(connection->token));
    return connection;
  } catch (const YAML::Exception& error) {
    return make_error("kubeconfig " + path + ": " + error.what());
  }
}

Result<KubeConnection> connection_for(const std::optional<std::string>& kubeconfig) {
  const auto process_environment = [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  Result<KubeConnection> connection =
      kubeconfig ? load_kubeconfig(*kubeconfig) : in_cluster_connection(process_environment);
  if (!connection) {
    return make_error(connection.error().message +
                      " (outside a cluster, pass --kubeconfig FILE or --cluster-file FILE)");
  }
  return connection;
}

}  // namespace epc
