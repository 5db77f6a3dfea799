// access.h — who may talk to the server: which Host names it answers, which
// page origins may change state, and the access token. Pure policy, kept
// apart from HTTP so it can be tested and fuzzed on its own.
//
//   moodtune::AccessParams ap;               // loopback names only
//   ap.allowed_hosts = {"kiosk.lan"};
//   moodtune::AccessPolicy policy(ap, "127.0.0.1", 8080);
//   policy.host_allowed("localhost:8080");   // true
//   policy.host_allowed("evil.example");      // false: DNS rebinding
//   policy.origin_allowed("http://localhost:8080", "localhost:8080");  // true
//
// Why Host matters: a page on evil.example can re-point its own name at
// 127.0.0.1 (DNS rebinding) and then talk to this server "same-origin". The
// browser still sends Host: evil.example, so only answering known names
// stops it. Origin then limits state changes to pages this server served
// (or the public origin of a reverse proxy in front of it). Threat model
// and the other defences: docs/security.md. A token guards everything else
// when other machines can reach the port.
// Immutable after construction: thread-safe.
#pragma once
#include <set>
#include <string>
#include <vector>

namespace moodtune {

struct AccessParams {
  std::vector<std::string> allowed_hosts;   // extra Host names (no port), e.g. "kiosk.lan"
  std::vector<std::string> public_origins;  // e.g. "https://music.example.org" (a reverse proxy's)
  // With a token, the API answers only a session logged in with it
  // (POST /api/login) or a request with "Authorization: Bearer TOKEN".
  // Required when the server listens on anything but loopback.
  std::string token;
};

class AccessPolicy {
 public:
  // bound_host: the address the server listens on (added to the known
  // names unless it is a wildcard). Throws std::invalid_argument for a
  // malformed allowed host or public origin, a token shorter than 16
  // characters, or a non-loopback bound_host without a token.
  AccessPolicy(AccessParams p, const std::string& bound_host);

  // `host_header` is the Host header as sent ("name", "name:port",
  // "[v6]:port"). Known: loopback names, the bound address, allowed_hosts,
  // the hosts of public_origins. Case-insensitive on the name.
  bool host_allowed(const std::string& host_header) const;
  // An Origin may change state when it is "http(s)://" + the request's
  // Host (the server's own page) or one of public_origins. "null" and
  // anything else are refused.
  bool origin_allowed(const std::string& origin, const std::string& host_header) const;
  bool token_required() const { return !p_.token.empty(); }
  // Compares in time independent of where the strings differ.
  bool token_matches(const std::string& candidate) const;
  // True for "Bearer TOKEN" with the right token.
  bool bearer_matches(const std::string& authorization_header) const;
  const AccessParams& params() const { return p_; }

 private:
  AccessParams p_;
  std::set<std::string> hosts_;  // lower case, without port or brackets
};

// The name part of a Host header, lower case, without port or IPv6
// brackets; empty when malformed.
std::string host_name_of(const std::string& host_header);
// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& name);
}  // namespace moodtune
