#include "server/request_screen.h"

namespace moodtune {

std::optional<Refusal> screen_request(const AccessPolicy& policy, const httplib::Request& req, size_t body_limit) {
  const std::string host = req.get_header_value("Host");
  if (!policy.host_allowed(host))
    return Refusal{421, "this server does not answer to the name '" + host.substr(0, 100) +
                            "'; its operator can add it with --allowed-host"};
  const bool api = req.path.rfind("/api/", 0) == 0 || req.path == "/metrics";
  // Fetch metadata: another site's <img>, <audio> or fetch() aimed at the
  // API (the camera stream, a listener's history) is refused outright.
  if (api && req.get_header_value("Sec-Fetch-Site") == "cross-site")
    return Refusal{403, "requests from other sites are not accepted"};
  if (req.path == "/metrics" && (!is_loopback_host(req.remote_addr) || req.has_header("X-Forwarded-For")) &&
      !policy.bearer_matches(req.get_header_value("Authorization")))
    return Refusal{403, "metrics are served to this machine, or with the access token"};
  if (req.method == "GET" || req.method == "HEAD") return std::nullopt;

  if (req.has_header("Origin") && !policy.origin_allowed(req.get_header_value("Origin"), host))
    return Refusal{403, "cross-origin requests are not accepted"};
  // Bodies need a declared length: a chunked one could otherwise be
  // buffered whole before any limit applies.
  if (req.has_header("Transfer-Encoding") || !req.has_header("Content-Length"))
    return Refusal{411, "send the body with a Content-Length (chunked bodies are not accepted)", true};
  const std::string length = req.get_header_value("Content-Length");
  if (length.empty() || length.size() > 18 || length.find_first_not_of("0123456789") != std::string::npos)
    return Refusal{400, "Content-Length must be a number", true};
  // A body a little over the limit is read and dropped (cpp-httplib's
  // payload limit, or the route's own check), so the client sees the 413
  // rather than a reset connection; a grossly oversized one is refused unread.
  if (std::stoull(length) > 4 * static_cast<unsigned long long>(body_limit))
    return Refusal{
        413, "a body of " + length + " bytes is over this route's limit of " + std::to_string(body_limit) + " bytes",
        true};
  return std::nullopt;
}

}  // namespace moodtune
