#include "scheduler/http/router.h"

#include <gtest/gtest.h>

namespace epc {
namespace {

TEST(NormalizePrefix, MatchesKubeSchedulersTrimming) {
  EXPECT_EQ(normalize_prefix(""), "");
  EXPECT_EQ(normalize_prefix("/"), "");
  EXPECT_EQ(normalize_prefix("///"), "");
  EXPECT_EQ(normalize_prefix("sgx"), "/sgx");
  EXPECT_EQ(normalize_prefix("/sgx/"), "/sgx");
  EXPECT_EQ(normalize_prefix("sgx/v1//"), "/sgx/v1");
}

Route route_of(const RouteResult& result) {
  EXPECT_TRUE(std::holds_alternative<Route>(result));
  return std::holds_alternative<Route>(result) ? std::get<Route>(result) : Route{};
}

TEST(Router, RoutesEachVerbUnderThePrefix) {
  const Router router("/sgx/");
  EXPECT_EQ(route_of(router.route("POST", "/sgx/filter")).verb, Verb::kFilter);
  EXPECT_EQ(route_of(router.route("POST", "/sgx/prioritize")).verb, Verb::kPrioritize);
  EXPECT_EQ(route_of(router.route("POST", "/sgx/bind")).verb, Verb::kBind);
  EXPECT_EQ(route_of(router.route("POST", "/sgx/preempt")).verb, Verb::kPreempt);
  EXPECT_EQ(route_of(router.route("POST", "/sgx/preempt")).endpoint, Endpoint::kVerb);
}

TEST(Router, VerbsOutsideThePrefixAreNotFound) {
  const Router router("sgx");
  EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("POST", "/filter")));
  EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("POST", "/sgxfilter")));
  EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("POST", "/sgx/filter/")));
  EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("POST", "/sgx/Filter")));
}

TEST(Router, AListenerWithoutVerbsServesOnlyProbesAndPages) {
  const Router router("", {"/metrics"}, Verbs::kNotServed);
  for (const char* verb : {"/filter", "/prioritize", "/bind", "/preempt"}) {
    EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("POST", verb))) << verb;
    EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("GET", verb))) << verb;
  }
  EXPECT_EQ(route_of(router.route("GET", "/readyz")).endpoint, Endpoint::kReadyz);
  EXPECT_EQ(route_of(router.route("GET", "/metrics")).endpoint, Endpoint::kPage);
}

TEST(Router, ProbesStayAtTheRoot) {
  const Router router("/sgx");
  EXPECT_EQ(route_of(router.route("GET", "/healthz")).endpoint, Endpoint::kHealthz);
  EXPECT_EQ(route_of(router.route("GET", "/readyz")).endpoint, Endpoint::kReadyz);
  EXPECT_EQ(route_of(router.route("GET", "/version")).endpoint, Endpoint::kVersion);
  EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("GET", "/sgx/healthz")));
}

TEST(Router, WrongMethodNamesTheAllowedOne) {
  const Router router("");
  const RouteResult get_filter = router.route("GET", "/filter");
  ASSERT_TRUE(std::holds_alternative<WrongMethod>(get_filter));
  EXPECT_EQ(std::get<WrongMethod>(get_filter).allow, "POST");
  const RouteResult post_health = router.route("POST", "/healthz");
  ASSERT_TRUE(std::holds_alternative<WrongMethod>(post_health));
  EXPECT_EQ(std::get<WrongMethod>(post_health).allow, "GET");
}

TEST(Router, UnknownPathsAreNotFound) {
  const Router router("");
  EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("GET", "/")));
  EXPECT_TRUE(std::holds_alternative<NoRoute>(router.route("POST", "/nope")));
}

}  // namespace
}  // namespace epc
