// The lines here are the ones the components write (request_handler.cc, http_server.cc,
// reflector.cc, api_state_source.cc, config_watcher.cc); a changed wording shows up here.
#include "scheduler/log/component_levels.h"

#include <gtest/gtest.h>

namespace epc {
namespace {

TEST(HttpLineLevel, ClientErrorsInfoServerErrorsError) {
  EXPECT_EQ(http_line_level("POST /filter: 400 invalid JSON: unexpected end"), LogLevel::kInfo);
  EXPECT_EQ(http_line_level("GET /nope: 404 no such path"), LogLevel::kInfo);
  EXPECT_EQ(http_line_level("POST /sgx/filter: 413 request body exceeds 64Mi"), LogLevel::kInfo);
  EXPECT_EQ(http_line_level("POST /bind: 500 internal error: boom"), LogLevel::kError);
  EXPECT_EQ(http_line_level("GET /readyz: 503 not ready: waiting for the first list of nodes"),
            LogLevel::kInfo);
  EXPECT_EQ(http_line_level("GET /sgx/readyz: 503 not ready: nodes watch failing since 30s"),
            LogLevel::kInfo);
  EXPECT_EQ(http_line_level("GET /metrics: 503 unavailable"), LogLevel::kError);
  EXPECT_EQ(http_line_level("POST /filter: reply failed: broken pipe"), LogLevel::kError);
}

TEST(HttpLineLevel, TheServersOwnLinesAreWarnings) {
  EXPECT_EQ(http_line_level("stopping http://127.0.0.1:8888: 2 replies still being delivered "
                            "after 5 s; closing anyway"),
            LogLevel::kWarning);
  EXPECT_EQ(http_line_level("closing the listener on http://127.0.0.1:8888: Bad file descriptor"),
            LogLevel::kWarning);
  EXPECT_EQ(http_line_level("stopped http://127.0.0.1:8888 with 1 request continuations still "
                            "pending"),
            LogLevel::kWarning);
}

TEST(KubeLineLevel, ProgressIsInfoTroubleIsWarning) {
  EXPECT_EQ(kube_line_level("watching nodes and pods at https://10.0.0.1:443"), LogLevel::kInfo);
  EXPECT_EQ(kube_line_level("pods: listed 12 pods at resourceVersion 345 in 1 page"),
            LogLevel::kInfo);
  EXPECT_EQ(kube_line_level("nodes: too old resource version: 5 (9); listing again"),
            LogLevel::kInfo);
  EXPECT_EQ(kube_line_level("pods: continue token expired; listing again without paging"),
            LogLevel::kInfo);
  EXPECT_EQ(kube_line_level("pods: list failed: HTTP 500: injected fault; retrying in 400ms"),
            LogLevel::kWarning);
  EXPECT_EQ(kube_line_level("nodes: watch refused: HTTP 401: Unauthorized; retrying in 1s"),
            LogLevel::kWarning);
  EXPECT_EQ(kube_line_level("pods: skipping pod: default/x: invalid quantity"), LogLevel::kWarning);
}

TEST(ConfigLineLevel, ReloadInfoRefusalWarning) {
  EXPECT_EQ(config_line_level("scoring config reloaded from /etc/epc/scoring.yaml"),
            LogLevel::kInfo);
  EXPECT_EQ(config_line_level("scoring config reload failed, keeping the config in force: x"),
            LogLevel::kWarning);
}

}  // namespace
}  // namespace epc
