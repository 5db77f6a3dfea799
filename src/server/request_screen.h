// request_screen.h — the checks every request passes before routing and
// before its body is read: a known Host, no other site's request to the
// API, /metrics for this machine (or the token holder) only, an allowed Origin and a declared
// body length for state changes.
//
//   if (auto no = moodtune::screen_request(policy, req, 4u << 20))
//     reply(no->status, no->message);          // 421, 403, 411, 413 or 400
//
// Pure function of the request's headers: thread-safe.
#pragma once
#include <httplib.h>

#include <optional>
#include <string>

#include "server/access.h"

namespace moodtune {

struct Refusal {
  int status = 400;
  std::string message;            // for the client: what was wrong with the request
  bool close_connection = false;  // an unread body follows: the connection cannot be reused
};

// body_limit: the route's largest body in bytes.
std::optional<Refusal> screen_request(const AccessPolicy& policy, const httplib::Request& req, size_t body_limit);

}  // namespace moodtune
