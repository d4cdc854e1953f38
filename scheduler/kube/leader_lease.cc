#include "scheduler/kube/leader_lease.h"

#include <exception>
#include <utility>

#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

using std::chrono::steady_clock;

ApiResponse wait_for(pplx::task<ApiResponse> sent) {
  try {
    return sent.get();
  } catch (const std::exception& error) {
    return ApiResponse{0, {}, error.what()};
  }
}

std::string wall_now() {
  return format_micro_time(std::chrono::system_clock::now());
}

}  // namespace

LeaseStep lease_step(const std::optional<LeaseRecord>& observed, const std::string& identity,
                     steady_clock::time_point observed_changed_at, steady_clock::time_point now,
                     std::chrono::seconds duration) {
  if (!observed) return LeaseStep::kCreate;
  if (observed->holder_identity == identity) return LeaseStep::kRenew;
  if (observed->holder_identity.empty()) return LeaseStep::kTakeOver;
  const std::chrono::seconds term = observed->lease_duration_seconds > 0
                                        ? std::chrono::seconds(observed->lease_duration_seconds)
                                        : duration;
  return observed_changed_at + term > now ? LeaseStep::kStandby : LeaseStep::kTakeOver;
}

LeaderLease::LeaderLease(ApiClient& client, LeaseOptions options)
    : client_(client), options_(std::move(options)) {}

steady_clock::time_point LeaderLease::now() const {
  return options_.clock ? options_.clock() : steady_clock::now();
}

std::string LeaderLease::lease_path() const {
  return "/apis/coordination.k8s.io/v1/namespaces/" + options_.lease_namespace + "/leases";
}

LeaderLease::Written LeaderLease::write(const web::http::method& method,
                                        const std::string& resource_version,
                                        const LeaseRecord& record) {
  const bool create = method == web::http::methods::POST;
  ApiResponse reply = wait_for(client_.write(
      method, create ? lease_path() : lease_path() + "/" + options_.name,
      encode_lease(options_.lease_namespace, options_.name, resource_version, record)));
  if (!reply.ok()) return {false, reply.status, {}, reply.describe()};
  pad_body(reply.body);
  Result<LeaseObject> stored = read_lease(reply.body);
  // The write took effect whatever the body says; without its resourceVersion release() cannot
  // be conditional and is skipped (the lease then runs out by itself).
  return {true, reply.status, stored ? stored->resource_version : std::string(), {}};
}

void LeaderLease::observe_own_write(const LeaseRecord& record, const std::string& resource_version,
                                    steady_clock::time_point at) {
  std::lock_guard lock(mutex_);
  observed_ = record;
  observed_at_ = at;
  own_resource_version_ = resource_version;
  held_from_ = at;
}

Result<LeaseHold> LeaderLease::acquire_or_renew() {
  if (options_.lease_namespace.empty() || options_.name.empty() || options_.identity.empty()) {
    return make_error("leader lease: a namespace, a name and an identity are required");
  }
  const std::string what = "lease " + options_.lease_namespace + "/" + options_.name;
  const steady_clock::time_point started = now();
  ApiResponse reply = wait_for(client_.get(lease_path() + "/" + options_.name));

  std::optional<LeaseObject> current;
  if (reply.status == 404) {
    // no Lease yet
  } else if (!reply.ok()) {
    return make_error("reading " + what + ": " + reply.describe());
  } else {
    pad_body(reply.body);
    Result<LeaseObject> read = read_lease(reply.body);
    if (!read) return make_error("reading " + what + ": " + read.error().message);
    current = std::move(*read);
  }

  std::optional<LeaseRecord> observed;
  steady_clock::time_point observed_at;
  {
    std::lock_guard lock(mutex_);
    // client-go keeps observedTime while the record stays the same (tryAcquireOrRenew's "Record
    // obtained, check the Identity & Time").
    if (current && (!observed_ || !(*observed_ == current->record))) {
      observed_ = current->record;
      observed_at_ = started;
    }
    if (!current) observed_.reset();
    observed = observed_;
    observed_at = observed_at_;
  }

  const LeaseStep step =
      lease_step(observed, options_.identity, observed_at, started, options_.duration);
  if (step == LeaseStep::kStandby) {
    std::lock_guard lock(mutex_);
    held_from_.reset();
    return LeaseHold{false, observed->holder_identity};
  }

  const std::string stamp = wall_now();
  LeaseRecord wanted{options_.identity, static_cast<int32_t>(options_.duration.count()), stamp,
                     stamp, 0};
  if (step == LeaseStep::kRenew) {
    if (!observed->acquire_time.empty()) wanted.acquire_time = observed->acquire_time;
    wanted.lease_transitions = observed->lease_transitions;
  } else if (step == LeaseStep::kTakeOver) {
    wanted.lease_transitions = observed->lease_transitions + 1;
  }
  const Written written = step == LeaseStep::kCreate
                              ? write(web::http::methods::POST, {}, wanted)
                              : write(web::http::methods::PUT, current->resource_version, wanted);
  if (written.stored) {
    observe_own_write(wanted, written.resource_version, started);
    return LeaseHold{true, options_.identity};
  }
  if (written.http_status == 409) {
    // Another replica wrote first: whoever it is, it is not us.
    std::lock_guard lock(mutex_);
    held_from_.reset();
    return LeaseHold{false, observed ? observed->holder_identity : std::string()};
  }
  return make_error((step == LeaseStep::kCreate ? "creating " : "updating ") + what + ": " +
                    written.failure);
}

bool LeaderLease::holds_now() const {
  const steady_clock::time_point at = now();
  std::lock_guard lock(mutex_);
  return held_from_ && at - *held_from_ < options_.duration;
}

void LeaderLease::release() {
  std::string resource_version;
  LeaseRecord released;
  {
    std::lock_guard lock(mutex_);
    const bool held = held_from_.has_value();
    held_from_.reset();
    if (!held || own_resource_version_.empty() || !observed_) return;
    resource_version = own_resource_version_;
    released.lease_transitions = observed_->lease_transitions;
  }
  const std::string stamp = wall_now();
  released.lease_duration_seconds = 1;
  released.acquire_time = stamp;
  released.renew_time = stamp;
  const steady_clock::time_point at = now();
  const Written written = write(web::http::methods::PUT, resource_version, released);
  if (!written.stored) return;  // best effort: the lease runs out by itself
  std::lock_guard lock(mutex_);
  observed_ = released;
  observed_at_ = at;
  own_resource_version_.clear();
}

}  // namespace epc
