// Helpers for the Kubernetes API source tests: bounded waits, temporary files, small Node and Pod
// objects, a throwaway PKI, and the convergence check that compares ClusterState with the fake
// API server's objects.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "fake_apiserver_process.h"
#include "http_test_support.h"
#include "model/cluster_state.h"

namespace epc::test {

// Polls `done` every 20 ms until it is true or `timeout` passes; returns its last value. The
// default is generous: a passing test returns at once, and the sanitizer build is slow.
bool wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

void write_file(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);

// A Ready node publishing `epc` of sgx.intel.com/epc.
nlohmann::json node_object(const std::string& name, const std::string& epc = "8Gi");
// A pod with one container requesting `epc`; bound when `node` is not empty.
nlohmann::json pod_object(const std::string& ns, const std::string& name, const std::string& epc,
                          const std::string& node = "", const std::string& phase = "Running");

// A running pod of a ReplicaSet as consolidation reads it: labelled app=`app`, controlled by
// ReplicaSet "`app`-1", with UID "uid-`name`" and the creation time given.
nlohmann::json replica_set_pod(const std::string& ns, const std::string& name,
                               const std::string& epc, const std::string& node,
                               const std::string& app,
                               const std::string& created = "2020-01-01T00:00:00Z");

// kube-scheduler's filter request (NodeNames mode, candidate sgx-a) for a pending pod
// "default/`pod`" with UID "uid-`pod`" requesting `epc`.
std::string filter_request(const std::string& pod, const std::string& epc = "64Mi");

// Empty when, for every node the server has, the state knows it and its committed EPC equals the
// sum over the server's pods bound to it that have not terminated, and the state knows no other
// nodes; otherwise what differs.
std::string convergence_diff(const ClusterState& state, const FakeApiServer& server);
// Waits (bounded) for convergence; the last difference otherwise.
std::string wait_converged(const ClusterState& state, const FakeApiServer& server);

// ca.crt/ca.key, server.crt/.key (SAN `server_san`, e.g. "IP:127.0.0.1") and client.crt/.key
// made with the openssl CLI in `dir`. False when openssl failed.
bool make_pki(const std::string& dir, const std::string& server_san);

}  // namespace epc::test
