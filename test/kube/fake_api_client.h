// An ApiClient for the fake API server, for the tests of what runs on top of the client (the
// binder, the event recorder). Header-only, so that kube_test_support stays free of epc_kube: only
// the tests that link it include this.
#pragma once

// gtest first: cpprestsdk defines a macro U that breaks gtest's templates when included before.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "fake_apiserver_process.h"
#include "scheduler/kube/api_client.h"

namespace epc::test {

// A plain-HTTP client for `server` whose requests give up after `request_timeout`; null, with a
// failed test, when it cannot be made.
inline std::unique_ptr<ApiClient> fake_api_client(
    const FakeApiServer& server,
    std::chrono::milliseconds request_timeout = std::chrono::seconds(5)) {
  KubeConnection connection;
  connection.server = server.url();
  ApiClientOptions options;
  options.request_timeout = request_timeout;
  Result<std::unique_ptr<ApiClient>> client = ApiClient::create(connection, options);
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(*client) : nullptr;
}

}  // namespace epc::test
