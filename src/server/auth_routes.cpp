// Who may use the API and as which listener: the access token, logins that
// rotate the session, and the binding of a logged-in session to its
// listener (docs/security.md, "Access token").
#include "server/requests.h"
#include "server/server_impl.h"

namespace moodtune {

namespace {
constexpr const char* kCookie = "mt_session";
constexpr const char* kSessionHeader = "X-Moodtune-Session";
constexpr int kMaxFailedLogins = 10;  // per minute, for the whole server

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  const std::string cookies = req.get_header_value("Cookie");
  for (size_t pos = 0; pos < cookies.size();) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string part = cookies.substr(pos, end - pos);
    part.erase(0, part.find_first_not_of(' '));
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

// Secure when the page came over HTTPS (directly or through a proxy), so the
// cookie never travels in clear text afterwards.
std::string session_cookie(const httplib::Request& req, const std::string& id, bool expire = false) {
  std::string c = std::string(kCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict";
  if (req.get_header_value("Origin").rfind("https://", 0) == 0 || req.get_header_value("X-Forwarded-Proto") == "https")
    c += "; Secure";
  if (expire) c += "; Max-Age=0";
  return c;
}
}  // namespace

std::string MoodServer::Impl::session_id_of(const httplib::Request& req) const {
  return req.has_header(kSessionHeader) ? req.get_header_value(kSessionHeader) : cookie_value(req, kCookie);
}

std::shared_ptr<Session> MoodServer::Impl::session(const httplib::Request& req, httplib::Response& res) {
  const std::string id = session_id_of(req);
  auto s = sessions.get(id);
  res.set_header(kSessionHeader, s->id);
  if (s->id != id && !req.has_header(kSessionHeader)) res.set_header("Set-Cookie", session_cookie(req, s->id));
  return s;
}

bool MoodServer::Impl::is_operator(const httplib::Request& req) const {
  return access->bearer_matches(req.get_header_value("Authorization"));
}

bool MoodServer::Impl::may_use_api(const httplib::Request& req) {
  if (!access->token_required() || is_operator(req)) return true;
  // The page itself, the login and the health check are open; the rest of
  // the API (moods, history, likes, the camera stream, audio) is not.
  if (req.path.rfind("/api/", 0) != 0 || req.path == "/api/login" || req.path == "/api/health") return true;
  auto s = sessions.find(session_id_of(req));
  return s && s->logged_in;
}

std::string MoodServer::Impl::listener_for(const httplib::Request& req, const std::string& requested) {
  if (!is_operator(req)) {
    auto s = sessions.find(session_id_of(req));
    if (s && !s->listener.empty()) {
      if (!requested.empty() && requested != s->listener)
        throw AccessDenied("this session belongs to listener '" + s->listener + "'; log in as '" + requested +
                           "' to use theirs");
      return s->listener;
    }
  }
  // The token holder, or (without a token) this machine's own clients.
  return requested.empty() ? p.default_listener : requested;
}

bool MoodServer::Impl::note_failed_login() {
  std::lock_guard<std::mutex> lock(login_mu);
  const auto now = std::chrono::steady_clock::now();
  while (!failed_logins.empty() && now - failed_logins.front() > std::chrono::minutes(1)) failed_logins.pop_front();
  if (static_cast<int>(failed_logins.size()) >= kMaxFailedLogins) return false;
  failed_logins.push_back(now);
  return true;
}

void MoodServer::Impl::setup_auth_routes() {
  // {"token": ..., "listener"?: ...}: a fresh session, logged in as that
  // listener; the id arrives in the header (for the page) and in an
  // HttpOnly cookie (for <audio>, which cannot send headers).
  http.Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
      return send_error(res, 415, "POST JSON with Content-Type application/json");
    LoginRequest login;
    try {
      login = parse_login_request(req.body);
    } catch (const std::exception& e) {
      return send_error(res, 400, std::string("bad login: ") + e.what());
    }
    if (access->token_required() && !access->token_matches(login.token)) {
      metrics.add("moodtune_refused_total", 1, "status=\"401\"");
      if (!note_failed_login()) return send_error(res, 429, "too many wrong tokens; try again in a minute");
      return send_error(res, 401, "wrong token: use the login link `moodtune serve` printed");
    }
    auto s = sessions.rotate(session_id_of(req));
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->logged_in = true;
      s->listener = login.listener.empty() ? p.default_listener : login.listener;
    }
    res.set_header(kSessionHeader, s->id);
    res.set_header("Set-Cookie", session_cookie(req, s->id));
    send_json(res, {{"ok", true}, {"listener", s->listener}});
  });
  http.Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) {
    sessions.drop(session_id_of(req));
    res.set_header("Set-Cookie", session_cookie(req, "", true));
    send_json(res, {{"ok", true}});
  });
}

}  // namespace moodtune
