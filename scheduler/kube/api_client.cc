#include "scheduler/kube/api_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/ssl.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "scheduler/kube/watch_event.h"
#include "scheduler/wire/extender_codec.h"

namespace epc {
namespace {

using web::http::http_request;
using web::http::http_response;
using web::http::client::http_client;
using web::http::client::http_client_config;

// The PEM text the TLS context is built from, read once at start-up.
struct TlsMaterial {
  std::string ca;
  std::string client_cert;
  std::string client_key;
};

Result<std::string> read_pem(const std::string& data, const std::string& file,
                             std::string_view what) {
  if (!data.empty() || file.empty()) return data;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error("cannot read " + std::string(what) + " " + file + ": " +
                      std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

Result<TlsMaterial> read_tls_material(const KubeConnection& connection) {
  TlsMaterial material;
  Result<std::string> ca = read_pem(connection.ca_data, connection.ca_file, "CA file");
  if (!ca) return ca.error();
  Result<std::string> cert =
      read_pem(connection.client_cert_data, connection.client_cert_file, "client certificate");
  if (!cert) return cert.error();
  Result<std::string> key =
      read_pem(connection.client_key_data, connection.client_key_file, "client key");
  if (!key) return key.error();
  if (cert->empty() != key->empty()) {
    return make_error("a client certificate needs both a certificate and a key");
  }
  return TlsMaterial{std::move(*ca), std::move(*cert), std::move(*key)};
}

// A CA given in the connection replaces the system's trust store, as in client-go: a cluster CA
// is the only authority the API server's certificate should be accepted from.
Result<void> configure_tls(const TlsMaterial& material, boost::asio::ssl::context& context) {
  boost::system::error_code error;
  if (!material.ca.empty()) {
    SSL_CTX_set_cert_store(context.native_handle(), X509_STORE_new());
    context.add_certificate_authority(boost::asio::buffer(material.ca), error);
    if (error) return make_error("CA certificate: " + error.message());
  }
  if (!material.client_cert.empty()) {
    context.use_certificate_chain(boost::asio::buffer(material.client_cert), error);
    if (error) return make_error("client certificate: " + error.message());
    context.use_private_key(boost::asio::buffer(material.client_key),
                            boost::asio::ssl::context::pem, error);
    if (error) return make_error("client key: " + error.message());
  }
  return {};
}

// Checks the material by building a context with it, so that bad PEM fails start-up.
Result<void> check_tls(const TlsMaterial& material) {
  try {
    boost::asio::ssl::context context(boost::asio::ssl::context::sslv23);
    return configure_tls(material, context);
  } catch (const std::exception& error) {
    return make_error(std::string("TLS set-up: ") + error.what());
  }
}

http_client_config make_config(const KubeConnection& connection,
                               std::shared_ptr<const TlsMaterial> material,
                               std::chrono::milliseconds timeout) {
  http_client_config config;
  config.set_timeout(timeout);
  config.set_validate_certificates(!connection.insecure_skip_tls_verify);
  // The material was checked in create(). Should the library still fail to load a CA here, the
  // emptied trust store makes the handshake fail, which is the safe outcome.
  config.set_ssl_context_callback(
      [material](boost::asio::ssl::context& context) { (void)configure_tls(*material, context); });
  return config;
}

Result<web::uri> parse_server(const std::string& server) {
  try {
    web::uri uri(server);
    if (uri.scheme() != "https" && uri.scheme() != "http") {
      return make_error("server \"" + server + "\": scheme must be https or http");
    }
    if (uri.host().empty()) return make_error("server \"" + server + "\": no host");
    return uri;
  } catch (const std::exception& error) {
    return make_error("server \"" + server + "\": " + error.what());
  }
}

std::string transport_message(const std::exception& error) {
  if (dynamic_cast<const pplx::task_canceled*>(&error) != nullptr) return "request canceled";
  return error.what();
}

// Delivers the lines of a streamed body as they arrive. The producer side never flushes, so a read
// of n bytes waits until n bytes are there: each read asks for what has already arrived, or for
// one byte when nothing has.
class LineReader : public std::enable_shared_from_this<LineReader> {
 public:
  LineReader(http_response response, ApiClient::LineHandler on_line,
             pplx::cancellation_token_source connection)
      : response_(std::move(response)),
        body_(response_.body().streambuf()),
        on_line_(std::move(on_line)),
        connection_(std::move(connection)),
        chunk_(64 * 1024) {}

  pplx::task<Result<void>> run() {
    read_next();
    return pplx::create_task(done_);
  }

 private:
  void read_next() {
    const size_t wanted = std::clamp<size_t>(body_.in_avail(), 1, chunk_.size());
    auto self = shared_from_this();
    body_.getn(chunk_.data(), wanted).then([self](pplx::task<size_t> got) { self->on_read(got); });
  }

  void on_read(pplx::task<size_t>& got) {
    size_t count = 0;
    try {
      count = got.get();
    } catch (const std::exception& error) {
      finish(make_error("watch stream broken: " + transport_message(error)));
      return;
    }
    if (count == 0) {
      if (!pending_.empty()) {
        finish(make_error("watch stream ended in the middle of a line (" +
                          std::to_string(pending_.size()) + " bytes unterminated)"));
      } else {
        finish({});
      }
      return;
    }
    pending_.append(reinterpret_cast<const char*>(chunk_.data()), count);
    if (Result<void> delivered = deliver_lines(); !delivered) {
      connection_.cancel();  // stop the server's stream: nobody reads it any more
      finish(delivered);
      return;
    }
    read_next();
  }

  Result<void> deliver_lines() {
    size_t start = 0;
    for (size_t end = pending_.find('\n'); end != std::string::npos;
         end = pending_.find('\n', start)) {
      std::string_view line(pending_.data() + start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      start = end + 1;
      if (line.empty()) continue;
      if (Result<void> handled = on_line_(line); !handled) return handled;
    }
    pending_.erase(0, start);
    return {};
  }

  void finish(Result<void> result) { done_.set(std::move(result)); }

  http_response response_;  // keeps the body's producer alive
  concurrency::streams::streambuf<uint8_t> body_;
  ApiClient::LineHandler on_line_;
  pplx::cancellation_token_source connection_;
  std::vector<uint8_t> chunk_;
  std::string pending_;  // bytes of the line not yet terminated
  pplx::task_completion_event<Result<void>> done_;
};

std::string status_message(const std::string& body) {
  std::string padded = body;
  pad_body(padded);
  JsonParserPool parsers(1);
  Result<ApiStatus> status = decode_status(parsers, padded);
  if (status && !status->message.empty()) return status->message;
  constexpr size_t kMaxEcho = 200;
  return body.size() <= kMaxEcho ? body : body.substr(0, kMaxEcho) + "...";
}

}  // namespace

std::string ApiResponse::describe() const {
  if (!transport_error.empty()) return transport_error;
  const std::string message = status_message(body);
  return "HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message);
}

Result<std::unique_ptr<ApiClient>> ApiClient::create(const KubeConnection& connection,
                                                     ApiClientOptions options) {
  Result<web::uri> uri = parse_server(connection.server);
  if (!uri) return uri.error();
  Result<TlsMaterial> material = read_tls_material(connection);
  if (!material) return material.error();
  if (Result<void> checked = check_tls(*material); !checked) return checked.error();
  const auto shared_material = std::make_shared<const TlsMaterial>(std::move(*material));
  std::string host_header = uri->scheme() == "https" ? connection.tls_server_name : "";
  try {
    http_client requests(*uri, make_config(connection, shared_material, options.request_timeout));
    http_client watches(*uri, make_config(connection, shared_material, options.watch_timeout));
    auto token = std::make_shared<BearerToken>(connection.token, connection.token_file,
                                               options.token_check_interval);
    return std::unique_ptr<ApiClient>(
        new ApiClient(connection.server, std::move(requests), std::move(watches),
                      std::move(host_header), std::move(token), std::move(options.user_agent)));
  } catch (const std::exception& error) {
    return make_error("API client for " + connection.server + ": " + error.what());
  }
}

ApiClient::ApiClient(std::string server, http_client requests, http_client watches,
                     std::string host_header, std::shared_ptr<BearerToken> token,
                     std::string user_agent)
    : server_(std::move(server)),
      requests_(std::move(requests)),
      watches_(std::move(watches)),
      host_header_(std::move(host_header)),
      token_(std::move(token)),
      user_agent_(std::move(user_agent)) {}

Result<http_request> ApiClient::make_request(const web::http::method& method,
                                             const std::string& path_and_query) {
  Result<std::string> token = token_->current();
  if (!token) return token.error();
  try {
    http_request request(method);
    request.set_request_uri(path_and_query);
    request.headers().add("Accept", "application/json");
    request.headers().add("User-Agent", user_agent_);
    if (!token->empty()) request.headers().add("Authorization", "Bearer " + *token);
    // cpprestsdk takes the TLS name (SNI and certificate check) from the Host header.
    if (!host_header_.empty()) request.headers().add("Host", host_header_);
    return request;
  } catch (const std::exception& error) {
    return make_error("request " + path_and_query + ": " + error.what());
  }
}

pplx::task<ApiResponse> ApiClient::get(std::string path_and_query,
                                       pplx::cancellation_token cancel) {
  return send(make_request(web::http::methods::GET, path_and_query), cancel);
}

pplx::task<ApiResponse> ApiClient::write(const web::http::method& method,
                                         std::string path_and_query, std::string body,
                                         std::string content_type) {
  Result<http_request> request = make_request(method, path_and_query);
  if (request) {
    try {
      request->set_body(std::move(body), content_type);
    } catch (const std::exception& error) {
      return pplx::task_from_result(
          ApiResponse{0, {}, "request " + path_and_query + ": " + error.what()});
    }
  }
  return send(std::move(request), pplx::cancellation_token::none());
}

pplx::task<ApiResponse> ApiClient::send(Result<http_request> request,
                                        pplx::cancellation_token cancel) {
  if (!request) return pplx::task_from_result(ApiResponse{0, {}, request.error().message});
  return requests_.request(*request, cancel)
      .then([](pplx::task<http_response> sent) -> pplx::task<ApiResponse> {
        http_response response;
        try {
          response = sent.get();
        } catch (const std::exception& error) {
          return pplx::task_from_result(ApiResponse{0, {}, transport_message(error)});
        }
        const int status = response.status_code();
        return response.extract_utf8string(true).then([status](pplx::task<std::string> body) {
          try {
            return ApiResponse{status, body.get(), {}};
          } catch (const std::exception& error) {
            return ApiResponse{status, {}, "reading the response: " + transport_message(error)};
          }
        });
      });
}

pplx::task<CreateOutcome> ApiClient::post(const std::string& path, std::string json,
                                          std::string what) {
  Result<http_request> request = make_request(web::http::methods::POST, path);
  if (request) request->set_body(std::move(json), "application/json");
  return send(std::move(request), pplx::cancellation_token::none())
      .then([what = std::move(what)](pplx::task<ApiResponse> sent) -> CreateOutcome {
        try {
          const ApiResponse reply = sent.get();
          // A body lost after a 2xx status does not change what the status says.
          if (reply.status >= 200 && reply.status < 300) return {{}, reply.status};
          return {make_error(what + ": " + reply.describe()), reply.status};
        } catch (const std::exception& error) {
          return {make_error(what + ": " + transport_message(error)), 0};
        }
      });
}

pplx::task<WatchEnd> ApiClient::watch(std::string path_and_query, LineHandler on_line,
                                      pplx::cancellation_token cancel,
                                      std::function<void()> on_open) {
  Result<http_request> request = make_request(web::http::methods::GET, path_and_query);
  if (!request) return pplx::task_from_result(WatchEnd{request.error(), 0});
  // A source of its own, so that the reader can also close the connection when it stops early;
  // `cancel` is linked to it for the length of the watch.
  pplx::cancellation_token_source connection;
  std::optional<pplx::cancellation_token_registration> link;
  if (cancel.is_cancelable()) {
    link = cancel.register_callback([connection] { connection.cancel(); });
  }
  return watches_.request(*request, connection.get_token())
      .then([on_line = std::move(on_line), on_open = std::move(on_open),
             connection](pplx::task<http_response> sent) -> pplx::task<WatchEnd> {
        http_response response;
        try {
          response = sent.get();
        } catch (const std::exception& error) {
          return pplx::task_from_result(
              WatchEnd{make_error("watch request failed: " + transport_message(error)), 0});
        }
        const int status = response.status_code();
        if (status != web::http::status_codes::OK) {
          return response.extract_utf8string(true).then([status](pplx::task<std::string> body) {
            ApiResponse failed{status, {}, {}};
            try {
              failed.body = body.get();
            } catch (const std::exception&) {
              // The status alone still says what happened.
            }
            return WatchEnd{make_error("watch refused: " + failed.describe()), status};
          });
        }
        if (on_open) on_open();
        auto reader = std::make_shared<LineReader>(response, on_line, connection);
        return reader->run().then([status](Result<void> result) {
          return WatchEnd{std::move(result), status};
        });
      })
      .then([cancel, link](pplx::task<WatchEnd> ended) {
        if (link) cancel.deregister_callback(*link);
        try {
          return ended.get();
        } catch (const std::exception& error) {
          return WatchEnd{make_error("watch failed: " + transport_message(error)), 0};
        }
      });
}

pplx::task<CreateOutcome> ApiClient::create_binding(std::string pod_namespace, std::string pod_name,
                                                    std::string pod_uid, std::string node_name) {
  nlohmann::json metadata = {{"name", pod_name}, {"namespace", pod_namespace}};
  if (!pod_uid.empty()) metadata["uid"] = pod_uid;
  const nlohmann::json binding = {
      {"apiVersion", "v1"},
      {"kind", "Binding"},
      {"metadata", metadata},
      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_name}}}};
  return post("/api/v1/namespaces/" + pod_namespace + "/pods/" + pod_name + "/binding",
              binding.dump(), "binding " + pod_namespace + "/" + pod_name + " to " + node_name);
}

pplx::task<Result<void>> ApiClient::create_event(std::string event_namespace,
                                                 std::string event_name, std::string event_json) {
  return post("/api/v1/namespaces/" + event_namespace + "/events", std::move(event_json),
              "event " + event_namespace + "/" + event_name)
      .then([](CreateOutcome created) { return std::move(created.result); });
}

}  // namespace epc
