#include "scheduler/http/tls_credentials.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

namespace epc {
namespace {

constexpr std::string_view kCertFlag = "--tls-cert-file";
constexpr std::string_view kKeyFlag = "--tls-private-key-file";
constexpr std::string_view kClientCaFlag = "--client-ca-file";

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string describe(std::string_view flag, const std::string& path) {
  return std::string(flag) + " " + path;
}

// OpenSSL's most specific reason for the last failure on this thread, e.g.
// "error:0480006C:PEM routines::no start line"; clears the thread's error queue.
std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error recorded";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Result<std::string> read_file(std::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(describe(flag, path) + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(describe(flag, path) + ": cannot read: " + std::strerror(errno));
  return text.str();
}

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// True when the last failure only means "no further PEM object": the end of a bundle.
bool at_end_of_pem() {
  const unsigned long code = ERR_peek_last_error();
  return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
}

// Every certificate in a PEM file, in order; at least one.
Result<std::vector<TlsCredentials::X509Ptr>> read_certificates(std::string_view flag,
                                                               const std::string& path) {
  Result<std::string> text = read_file(flag, path);
  if (!text) return text.error();
  ERR_clear_error();
  BioPtr bio = memory_bio(*text);
  std::vector<TlsCredentials::X509Ptr> certificates;
  while (true) {
    TlsCredentials::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    // Fills the certificate's lazily computed extension cache now, so that the connections that
    // share it later only read it.
    X509_check_purpose(cert.get(), -1, 0);
    certificates.push_back(std::move(cert));
  }
  if (certificates.empty()) {
    return make_error(describe(flag, path) + ": no PEM certificate (" + openssl_reason() + ")");
  }
  if (!at_end_of_pem()) {
    return make_error(describe(flag, path) + ": unreadable certificate number " +
                      std::to_string(certificates.size() + 1) + " (" + openssl_reason() + ")");
  }
  ERR_clear_error();
  return certificates;
}

// Never prompts for a passphrase on the terminal: an encrypted key is an error.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

Result<TlsCredentials::PkeyPtr> read_private_key(const std::string& path) {
  Result<std::string> text = read_file(kKeyFlag, path);
  if (!text) return text.error();
  ERR_clear_error();
  BioPtr bio = memory_bio(*text);
  TlsCredentials::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    return make_error(describe(kKeyFlag, path) + ": no PEM private key (" + openssl_reason() + ")");
  }
  return key;
}

Result<TlsCredentials::ClientCa> read_client_ca(const std::string& path) {
  Result<std::vector<TlsCredentials::X509Ptr>> certificates =
      read_certificates(kClientCaFlag, path);
  if (!certificates) return certificates.error();
  TlsCredentials::ClientCa ca{TlsCredentials::StorePtr(X509_STORE_new()),
                              TlsCredentials::NamesPtr(sk_X509_NAME_new_null())};
  if (!ca.store || !ca.names) return make_error("out of memory loading " + path);
  for (const TlsCredentials::X509Ptr& cert : *certificates) {
    // The store and the name list keep their own references and copies.
    if (X509_STORE_add_cert(ca.store.get(), cert.get()) != 1) {
      return make_error(describe(kClientCaFlag, path) + ": " + openssl_reason());
    }
    X509_NAME* name = X509_NAME_dup(X509_get_subject_name(cert.get()));
    if (name == nullptr || sk_X509_NAME_push(ca.names.get(), name) == 0) {
      X509_NAME_free(name);
      return make_error("out of memory loading " + path);
    }
  }
  return ca;
}

}  // namespace

TlsCredentials::TlsCredentials(X509Ptr certificate, std::vector<X509Ptr> chain, PkeyPtr key,
                               std::optional<ClientCa> client_ca)
    : certificate_(std::move(certificate)),
      chain_(std::move(chain)),
      key_(std::move(key)),
      client_ca_(std::move(client_ca)) {}

Result<void> TlsCredentials::configure(SSL_CTX* context) const {
  ERR_clear_error();
  const auto failed = [](std::string_view step) -> Result<void> {
    return make_error("TLS setup failed: " + std::string(step) + ": " + openssl_reason());
  };
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) return failed("TLS 1.2 minimum");
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                   SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // Every connection gets a new context, so a session could never be resumed: issue no tickets and
  // keep no cache.
  SSL_CTX_set_num_tickets(context, 0);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate(context, certificate_.get()) != 1) return failed("certificate");
  if (SSL_CTX_use_PrivateKey(context, key_.get()) != 1) return failed("private key");
  for (const X509Ptr& cert : chain_) {
    if (SSL_CTX_add1_chain_cert(context, cert.get()) != 1) return failed("chain certificate");
  }
  if (!client_ca_) return {};
  if (SSL_CTX_set1_verify_cert_store(context, client_ca_->store.get()) != 1) {
    return failed("client CA store");
  }
  STACK_OF(X509_NAME)* names = SSL_dup_CA_list(client_ca_->names.get());
  if (names == nullptr) return failed("client CA names");
  SSL_CTX_set_client_CA_list(context, names);  // takes ownership
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return {};
}

std::string TlsCredentials::serial() const {
  return serial_hex(certificate_.get());
}

std::string serial_hex(const X509* certificate) {
  struct BnFree {
    void operator()(BIGNUM* number) const { BN_free(number); }
  };
  struct StringFree {
    void operator()(char* text) const { OPENSSL_free(text); }
  };
  const std::unique_ptr<BIGNUM, BnFree> number(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  if (!number) return "?";
  const std::unique_ptr<char, StringFree> hex(BN_bn2hex(number.get()));
  return hex ? std::string(hex.get()) : "?";
}

Result<TlsCredentials> load_tls_credentials(const TlsFiles& files) {
  Result<std::vector<TlsCredentials::X509Ptr>> certificates =
      read_certificates(kCertFlag, files.certificate);
  if (!certificates) return certificates.error();
  Result<TlsCredentials::PkeyPtr> key = read_private_key(files.private_key);
  if (!key) return key.error();
  TlsCredentials::X509Ptr leaf = std::move(certificates->front());
  ERR_clear_error();
  if (X509_check_private_key(leaf.get(), key->get()) != 1) {
    return make_error(describe(kKeyFlag, files.private_key) +
                      ": does not match the certificate in " + files.certificate + " (" +
                      openssl_reason() + ")");
  }
  std::vector<TlsCredentials::X509Ptr> chain(std::make_move_iterator(certificates->begin() + 1),
                                             std::make_move_iterator(certificates->end()));
  std::optional<TlsCredentials::ClientCa> client_ca;
  if (files.client_ca) {
    Result<TlsCredentials::ClientCa> ca = read_client_ca(*files.client_ca);
    if (!ca) return ca.error();
    client_ca = std::move(*ca);
  }
  return TlsCredentials(std::move(leaf), std::move(chain), std::move(*key), std::move(client_ca));
}

}  // namespace epc
