#include "server/access.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace moodtune {

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool valid_port(const std::string& s) {
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Names and addresses as they may appear in a Host header: letters,
// digits, '-', '.', and for IPv6 (inside brackets) ':'.
bool valid_name(const std::string& s, bool v6) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [v6](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || (v6 && c == ':');
  });
}

// "scheme://host[:port]" with nothing after: a browser's Origin.
bool split_origin(const std::string& origin, std::string& scheme, std::string& host_port) {
  const size_t sep = origin.find("://");
  if (sep == std::string::npos) return false;
  scheme = lower(origin.substr(0, sep));
  host_port = origin.substr(sep + 3);
  return (scheme == "http" || scheme == "https") && !host_name_of(host_port).empty();
}
}  // namespace

std::string host_name_of(const std::string& host_header) {
  std::string h = lower(host_header);
  if (!h.empty() && h.front() == '[') {
    const size_t close = h.find(']');
    if (close == std::string::npos) return {};
    const std::string rest = h.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || !valid_port(rest.substr(1)))) return {};
    const std::string name = h.substr(1, close - 1);
    return valid_name(name, true) ? name : std::string();
  }
  const size_t colon = h.find(':');
  if (colon != std::string::npos) {
    if (!valid_port(h.substr(colon + 1))) return {};
    h.resize(colon);
  }
  return valid_name(h, false) ? h : std::string();
}

bool is_loopback_host(const std::string& name) {
  const std::string n = lower(name);
  return n == "localhost" || n == "::1" || n.rfind("127.", 0) == 0;
}

AccessPolicy::AccessPolicy(AccessParams p, const std::string& bound_host) : p_(std::move(p)) {
  hosts_ = {"localhost", "127.0.0.1", "::1"};
  const std::string bound = lower(bound_host);
  if (bound != "0.0.0.0" && bound != "::" && !bound.empty()) hosts_.insert(bound);
  for (const auto& h : p_.allowed_hosts) {
    const std::string name = host_name_of(h);
    if (name.empty() || name != lower(h))
      throw std::invalid_argument("--allowed-host takes a name or address without port: '" + h + "'");
    hosts_.insert(name);
  }
  for (auto& o : p_.public_origins) {
    std::string scheme, host_port;
    if (!split_origin(o, scheme, host_port) || host_port.find('/') != std::string::npos)
      throw std::invalid_argument("--public-origin takes scheme://host[:port], e.g. https://music.example.org: '" + o +
                                  "'");
    o = lower(o);
    hosts_.insert(host_name_of(host_port));
  }
  const std::string& t = p_.token;
  if (!t.empty() && (t.size() < 16 || t.size() > 256 || !std::all_of(t.begin(), t.end(), [](char c) {
                       return c > ' ' && c < 127;
                     })))
    throw std::invalid_argument(
        "--token needs 16-256 visible ASCII characters (e.g. from `openssl rand -hex 16`); leave it out and "
        "serve makes one");
  if (t.empty() && !is_loopback_host(bound.empty() ? "127.0.0.1" : bound))
    throw std::invalid_argument("listening on " + bound_host +
                                " lets other machines in, so it needs an access token: give --token, or leave "
                                "it out and serve makes one and prints the login link");
}

bool AccessPolicy::token_matches(const std::string& candidate) const {
  const std::string& t = p_.token;
  if (t.empty()) return false;
  // Constant time in the content; the length of the token is no secret.
  unsigned char diff = candidate.size() == t.size() ? 0 : 1;
  for (size_t i = 0; i < t.size(); ++i)
    diff |= static_cast<unsigned char>(t[i] ^ (i < candidate.size() ? candidate[i] : 0));
  return diff == 0;
}

bool AccessPolicy::bearer_matches(const std::string& authorization_header) const {
  static const std::string kBearer = "Bearer ";
  return authorization_header.size() > kBearer.size() && authorization_header.compare(0, kBearer.size(), kBearer) == 0 &&
         token_matches(authorization_header.substr(kBearer.size()));
}

bool AccessPolicy::host_allowed(const std::string& host_header) const {
  const std::string name = host_name_of(host_header);
  return !name.empty() && hosts_.count(name) > 0;
}

bool AccessPolicy::origin_allowed(const std::string& origin, const std::string& host_header) const {
  std::string scheme, host_port;
  if (!split_origin(origin, scheme, host_port)) return false;
  if (lower(host_port) == lower(host_header)) return true;
  return std::find(p_.public_origins.begin(), p_.public_origins.end(), lower(origin)) != p_.public_origins.end();
}

}  // namespace moodtune
