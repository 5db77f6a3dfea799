// server_impl.h — the server's private state, shared by the files that set
// up its routes (server.cpp, source_routes.cpp). Not a public header.
#pragma once
#include <httplib.h>

#include <atomic>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/memory_budget.h"
#include "server/access.h"
#include "server/guarded_http.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/source_stream.h"
#include "service/mood_service.h"
#include "service/sessions.h"

namespace moodtune {

inline void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

inline void send_json(httplib::Response& res, const nlohmann::json& j) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(), "application/json");
}

// A request for another listener's data than the session's own: 403.
struct AccessDenied : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A frame decoded within the memory budget, which it holds while it lives.
struct DecodedFrame {
  std::unique_ptr<MemoryBudget::Ticket> ticket;
  cv::Mat image;
};

struct MoodServer::Impl {
  ServerParams p;
  std::unique_ptr<MoodService> service;
  std::vector<std::string> classes;

  SessionStore sessions;
  ServerMetrics metrics;
  std::unique_ptr<SourceStream> source;
  GuardedHttpServer http;
  std::atomic<bool> stopping{false};

  // The page keeps its session id per tab (sessionStorage) and sends it in
  // X-Moodtune-Session, so two tabs of one browser do not mix; the cookie
  // serves clients without the header (curl, tools). Ids are always made
  // by the server: an unknown id starts a new session with a new id.
  std::shared_ptr<Session> session(const httplib::Request& req, httplib::Response& res);
  std::string session_id_of(const httplib::Request& req) const;

  // The token holder: "Authorization: Bearer TOKEN".
  bool is_operator(const httplib::Request& req) const;
  // False when the server has a token and the request needs a login it lacks.
  bool may_use_api(const httplib::Request& req);
  // The listener a request acts for: a logged-in session's own (naming
  // another throws AccessDenied); otherwise `requested`, or the default.
  std::string listener_for(const httplib::Request& req, const std::string& requested);
  // Counts a wrong token; false once too many came within a minute.
  bool note_failed_login();
  std::mutex login_mu;
  std::deque<std::chrono::steady_clock::time_point> failed_logins;

  std::unique_ptr<AccessPolicy> access;
  std::unique_ptr<MemoryBudget> decode_budget;

  // A slot for one open stream, given back when its response goes away;
  // nullptr when max_streams are open already.
  std::atomic<int> open_streams{0};
  struct StreamSlot {
    explicit StreamSlot(std::atomic<int>& count) : n(count) {}
    StreamSlot(const StreamSlot&) = delete;
    StreamSlot& operator=(const StreamSlot&) = delete;
    ~StreamSlot() { --n; }
    std::atomic<int>& n;
  };
  std::shared_ptr<StreamSlot> take_stream_slot() {
    if (++open_streams > p.max_streams) {
      --open_streams;
      return nullptr;
    }
    return std::make_shared<StreamSlot>(open_streams);
  }

  void setup_routes();
  // The body as an image (JPEG or PNG, within the size and memory limits);
  // nullopt after answering the client with the reason.
  std::optional<DecodedFrame> decode_frame(const httplib::Request& req, httplib::Response& res);
  // A JSON request body within max_json_bytes; false after answering 415 or 413.
  bool accept_json_body(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      send_error(res, 415, "POST JSON with Content-Type application/json");
      return false;
    }
    if (req.body.size() > p.max_json_bytes) {
      send_error(res, 413, "JSON body over the limit of " + std::to_string(p.max_json_bytes) + " bytes");
      return false;
    }
    return true;
  }
  void handle_frame(const httplib::Request& req, httplib::Response& res);
  void handle_mood(const httplib::Request& req, httplib::Response& res);
  void handle_recommendations(const httplib::Request& req, httplib::Response& res);
  void handle_feedback(const httplib::Request& req, httplib::Response& res);
  void handle_audio(const httplib::Request& req, httplib::Response& res);
  void setup_source_routes();
  void setup_auth_routes();
  void setup_playlist_routes();
  void setup_history_routes();
  void setup_explain_routes();
  void setup_calibration_routes();
};

}  // namespace moodtune
