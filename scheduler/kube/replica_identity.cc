#include "scheduler/kube/replica_identity.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

namespace epc {
namespace {

std::string trimmed(std::string text) {
  const size_t end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

}  // namespace

std::string replica_identity() {
  std::string name;
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr) name = trimmed(pod);
  if (name.empty()) {
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) == 0) name = host;
  }
  if (name.empty()) name = "epc-extender";
  std::random_device device;
  const unsigned long long suffix = (static_cast<unsigned long long>(device()) << 32) ^ device();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", suffix);
  return name + "_" + hex;
}

std::string replica_namespace(const std::string& namespace_file) {
  if (const char* ns = std::getenv("POD_NAMESPACE"); ns != nullptr && !trimmed(ns).empty()) {
    return trimmed(ns);
  }
  std::ifstream file(namespace_file);
  std::string text;
  if (file && std::getline(file, text) && !trimmed(text).empty()) return trimmed(text);
  return "default";
}

}  // namespace epc
