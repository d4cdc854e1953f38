// scrub_secrets: the last line of defence that keeps credentials out of the logs.
//
// The extender's own messages never include its bearer token or key material (the kube client
// builds its errors from paths, statuses and the server's Status message), but a log line can echo
// text from elsewhere: an API server or proxy error body, a library's exception message. Every
// string a log line carries therefore passes through here, and what looks like a credential is
// replaced: `Bearer <token>` (any case), JWTs (service-account tokens are JWTs, so a token echoed
// without its `Bearer` is caught too), PEM private key blocks (even cut off) and the userinfo of
// URLs (`https://user:password@host`). Certificates are public and left alone. The scan is a few
// substring searches, cheap next to formatting the line.
#pragma once

#include <string>
#include <string_view>

namespace epc {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// `text` with every credential-looking part replaced by kRedacted.
std::string scrub_secrets(std::string_view text);

}  // namespace epc
