// TlsCredentials: the server's certificate chain and private key, and optionally the CA bundle that
// client certificates must chain to (mTLS), loaded once from PEM files into OpenSSL objects.
//
// The listener builds a fresh SSL context for every connection (cpprestsdk's design), so loading
// is separated from use: load_tls_credentials() reads and checks the files (a key that does not
// match the certificate is an error, as is a file without a PEM object), and configure() installs
// the already parsed, reference-counted objects into a context without any file I/O. A loaded
// value never changes; TlsCredentialsWatcher swaps whole values when the files change. Errors name
// the file and give OpenSSL's reason, never key material.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "model/result.h"

namespace epc {

// Where the credentials come from, as given by --tls-cert-file, --tls-private-key-file and
// --client-ca-file.
struct TlsFiles {
  std::string certificate;               // PEM, leaf first, then any intermediates
  std::string private_key;               // PEM, unencrypted
  std::optional<std::string> client_ca;  // PEM bundle; set: clients must present a certificate
};

class TlsCredentials {
 public:
  struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
  };
  struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  };
  struct StoreFree {
    void operator()(X509_STORE* store) const { X509_STORE_free(store); }
  };
  struct NamesFree {
    void operator()(STACK_OF(X509_NAME) * names) const {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
    }
  };
  using X509Ptr = std::unique_ptr<X509, X509Free>;
  using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
  using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;
  using NamesPtr = std::unique_ptr<STACK_OF(X509_NAME), NamesFree>;

  // The client CA side: a verification store and the subject names offered to clients.
  struct ClientCa {
    StorePtr store;
    NamesPtr names;
  };

  TlsCredentials(X509Ptr certificate, std::vector<X509Ptr> chain, PkeyPtr key,
                 std::optional<ClientCa> client_ca);

  // Sets up a server context for one connection: TLS 1.2 or later, no compression or
  // renegotiation, this certificate, chain and key, and with a client CA, a required client
  // certificate verified against it. Errors carry OpenSSL's reason.
  Result<void> configure(SSL_CTX* context) const;

  X509* certificate() const { return certificate_.get(); }
  size_t chain_length() const { return chain_.size(); }
  bool verifies_clients() const { return client_ca_.has_value(); }
  // The leaf's serial number in upper-case hex, as `openssl x509 -serial` prints it (for logs).
  std::string serial() const;

 private:
  X509Ptr certificate_;
  std::vector<X509Ptr> chain_;
  PkeyPtr key_;
  std::optional<ClientCa> client_ca_;
};

// A certificate's serial number in upper-case hex, as `openssl x509 -serial` prints it.
std::string serial_hex(const X509* certificate);

// Reads and checks the files; e.g. `--tls-private-key-file /etc/tls/tls.key: does not match the
// certificate in /etc/tls/tls.crt (error:05800074:x509 certificate routines::key values mismatch)`.
Result<TlsCredentials> load_tls_credentials(const TlsFiles& files);

}  // namespace epc
