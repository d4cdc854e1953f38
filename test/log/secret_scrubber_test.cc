#include "scheduler/log/secret_scrubber.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace epc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ScrubSecrets, BearerTokensInAnyCase) {
  EXPECT_EQ(scrub_secrets("Authorization: Bearer abc.DEF-123_~+/="),
            "Authorization: Bearer [REDACTED]");
  EXPECT_EQ(scrub_secrets("authorization: bearer  tok\"rest"),
            "authorization: bearer  [REDACTED]\"rest");
  EXPECT_EQ(scrub_secrets("BEARER x and Bearer y"), "BEARER [REDACTED] and Bearer [REDACTED]");
}

TEST(ScrubSecrets, JwtsWithoutTheirScheme) {
  const std::string jwt =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJl-_x";
  EXPECT_EQ(scrub_secrets("token " + jwt + " rejected"), "token [REDACTED] rejected");
  EXPECT_EQ(scrub_secrets("{\"token\":\"" + jwt + "\"}"), "{\"token\":\"[REDACTED]\"}");
}

TEST(ScrubSecrets, PrivateKeyBlocksEvenCutOff) {
  const std::string key =
      "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\nByqGSM49\n-----END PRIVATE KEY-----";
  EXPECT_EQ(scrub_secrets("bad key: " + key + " (line 3)"), "bad key: [REDACTED] (line 3)");
  EXPECT_EQ(scrub_secrets("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB"), "[REDACTED]");
  EXPECT_EQ(scrub_secrets("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAA\n"
                          "-----END ENCRYPTED PRIVATE KEY-----\nafter"),
            "[REDACTED]\nafter");
}

TEST(ScrubSecrets, UrlUserinfo) {
  EXPECT_EQ(scrub_secrets("server \"https://admin:hunter2@10.0.0.1:6443\": no route"),
            "server \"https://[REDACTED]@10.0.0.1:6443\": no route");
}

TEST(ScrubSecrets, LeavesOrdinaryTextAlone) {
  for (const std::string text :
       {"POST /filter: 400 invalid JSON at offset 3", "pods: listed 3 pods at resourceVersion 7",
        "bearer-token-file unreadable", "a bearer", "eyJ without dots",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "watching nodes and pods at https://127.0.0.1:6443", "user@example.com", ""}) {
    EXPECT_EQ(scrub_secrets(text), text);
  }
}

TEST(ScrubSecrets, ABearerPrefixedWordIsNotAScheme) {
  EXPECT_THAT(scrub_secrets("forbearer x"), Not(HasSubstr("[REDACTED]")));
}

}  // namespace
}  // namespace epc
