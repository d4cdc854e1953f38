// http_bench_server: the two servers bench/http.sh points wrk at, in one binary so that both have
// the same build, process layout, cpprestsdk listener and thread pool (the binary's
// GuardedThreadPool).
//
//   http_bench_server --mode extender --nodes-body args-100-nodes.json [--port N]
//   http_bench_server --mode empty [--reply-bytes N] [--port N]
//
// `extender` serves the real HttpServer and ExtenderService, wired as the binary wires them
// (decision and request metrics, the read-only pages), on the cluster of the body's nodes (see
// BenchCluster). `empty` serves a bare listener whose handler reads the body with a continuation
// and replies 200 {}: what cpprestsdk itself costs per request, the ceiling for the extender's
// throughput.
//
// Port 0 (the default) picks a free port. Once listening it prints "listening on URL" on stdout,
// then serves until SIGINT or SIGTERM. Exit codes: 0 stopped, 1 could not start, 2 bad arguments.
#include <signal.h>

#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cpprest/http_listener.h>

#include "bench/bench_cluster.h"
#include "model/result.h"
#include "scheduler/http/free_port.h"
#include "scheduler/http/guarded_thread_pool.h"
#include "scheduler/http/http_server.h"

namespace {

using web::http::experimental::listener::http_listener;

constexpr std::string_view kUsage =
    "usage: http_bench_server --mode extender --nodes-body FILE [--port N]\n"
    "       http_bench_server --mode empty [--reply-bytes N] [--port N]\n";

struct Options {
  std::string mode;
  std::string nodes_body;
  int port = 0;
  int reply_bytes = 2;  // "{}"
};

epc::Result<int> parse_int(std::string_view flag, const std::string& value) {
  try {
    return std::stoi(value);
  } catch (const std::exception&) {
    return epc::make_error(std::string(flag) + ": expected a number, got \"" + value + "\"");
  }
}

epc::Result<Options> parse_options(const std::vector<std::string_view>& args) {
  Options options;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i + 1 == args.size()) return epc::make_error(std::string(args[i]) + " needs a value");
    const std::string_view flag = args[i];
    const std::string value(args[++i]);
    if (flag == "--mode") {
      options.mode = value;
    } else if (flag == "--nodes-body") {
      options.nodes_body = value;
    } else if (flag == "--port" || flag == "--reply-bytes") {
      epc::Result<int> number = parse_int(flag, value);
      if (!number) return number.error();
      (flag == "--port" ? options.port : options.reply_bytes) = *number;
    } else {
      return epc::make_error("unknown flag " + std::string(flag));
    }
  }
  if (options.mode != "extender" && options.mode != "empty") {
    return epc::make_error("--mode must be extender or empty");
  }
  if (options.mode == "extender" && options.nodes_body.empty()) {
    return epc::make_error("--mode extender needs --nodes-body");
  }
  return options;
}

std::string url_for(int port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

// Waits for SIGINT or SIGTERM, which main() blocked before any thread started.
void wait_for_shutdown(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
}

// A JSON object of exactly `bytes` bytes (at least "{}").
std::string reply_of_size(int bytes) {
  const std::string open = "{\"pad\":\"";
  const std::string close = "\"}";
  const int padding = bytes - static_cast<int>(open.size() + close.size());
  if (padding < 0) return "{}";
  return open + std::string(static_cast<size_t>(padding), 'x') + close;
}

// The empty handler: the body is read without holding a pool thread, then 200 and a fixed reply.
class EmptyServer {
 public:
  epc::Result<std::string> start(int port, int reply_bytes) {
    if (port == 0) {
      epc::Result<int> picked = epc::pick_free_port("127.0.0.1");
      if (!picked) return picked.error();
      port = *picked;
    }
    try {
      listener_.emplace(web::uri(url_for(port)));
      listener_->support(web::http::methods::POST, [reply = reply_of_size(reply_bytes)](
                                                       web::http::http_request request) {
        request.extract_string(true).then([request, reply](pplx::task<std::string> body) {
          try {
            body.get();
            request.reply(web::http::status_codes::OK, reply, "application/json")
                .then([](pplx::task<void> sent) {
                  try {
                    sent.get();
                  } catch (...) {  // the client went away: nothing to do
                  }
                });
          } catch (...) {  // the body failed: the client went away
          }
        });
      });
      listener_->open().wait();
    } catch (const std::exception& e) {
      listener_.reset();
      return epc::make_error("cannot listen on " + url_for(port) + ": " + e.what());
    }
    return url_for(port);
  }

  ~EmptyServer() {
    if (!listener_) return;
    try {
      listener_->close().wait();
    } catch (const std::exception& e) {
      std::cerr << "closing the empty listener: " << e.what() << "\n";
    }
  }

 private:
  std::optional<http_listener> listener_;
};

int serve_empty(const Options& options, const sigset_t& signals, epc::GuardedThreadPool& pool) {
  EmptyServer server;
  epc::Result<std::string> url = server.start(options.port, options.reply_bytes);
  if (!url) {
    std::cerr << url.error().message << "\n";
    return 1;
  }
  std::cout << "listening on " << *url << std::endl;
  wait_for_shutdown(signals);
  pool.add_thread();  // closing the listener blocks a pool thread (see add_thread)
  return 0;
}

int serve_extender(const Options& options, const sigset_t& signals, epc::GuardedThreadPool& pool) {
  auto cluster = epc::bench::load_bench_cluster(options.nodes_body);
  if (!cluster) {
    std::cerr << cluster.error().message << "\n";
    return 1;
  }
  epc::Observability& observability = (*cluster)->observability();
  epc::HttpServerOptions server_options;
  server_options.host = "127.0.0.1";
  server_options.port = options.port;
  server_options.version = "bench";
  server_options.pages = observability.pages();
  server_options.on_verb_reply = [&observability](epc::Verb verb, epc::Outcome outcome,
                                                  std::chrono::duration<double> took) {
    observability.observe_reply(verb, outcome, took);
  };
  epc::HttpServer server(std::move(server_options), (*cluster)->service());
  if (epc::Result<void> started = server.start(); !started) {
    std::cerr << started.error().message << "\n";
    return 1;
  }
  std::cout << "listening on " << server.url() << std::endl;
  wait_for_shutdown(signals);
  pool.add_thread();  // closing the listener blocks a pool thread (see add_thread)
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: only sigwait sees them
  // The binary's own pool (its size and its continuation scheduling), so that both servers here
  // cost what the binary costs.
  epc::Result<std::unique_ptr<epc::GuardedThreadPool>> threads =
      epc::GuardedThreadPool::start(epc::GuardedThreadPool::default_threads(), {});
  if (!threads) {
    std::cerr << threads.error().message << "\n";
    return 1;
  }

  const std::vector<std::string_view> args(argv + 1, argv + argc);
  epc::Result<Options> options = parse_options(args);
  if (!options) {
    std::cerr << options.error().message << "\n" << kUsage;
    return 2;
  }
  return options->mode == "empty" ? serve_empty(*options, signals, **threads)
                                  : serve_extender(*options, signals, **threads);
}
