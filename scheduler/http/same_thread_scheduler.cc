#include "scheduler/http/same_thread_scheduler.h"

#include <memory>

#include <pplx/threadpool.h>
#include <boost/asio/defer.hpp>

namespace epc {

void SameThreadScheduler::schedule(pplx::TaskProc_t proc, void* parameter) {
  boost::asio::defer(service_, [proc, parameter] { proc(parameter); });
}

pplx::task_options on_ready_thread() {
  static const std::shared_ptr<SameThreadScheduler> scheduler =
      std::make_shared<SameThreadScheduler>(crossplat::threadpool::shared_instance().service());
  return pplx::task_options(scheduler);
}

}  // namespace epc
