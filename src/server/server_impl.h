// server_impl.h — the server's private state, shared by the files that set
// up its routes (server.cpp, source_routes.cpp). Not a public header.
#pragma once
#include <httplib.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/access.h"
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

struct MoodServer::Impl {
  ServerParams p;
  std::unique_ptr<MoodService> service;
  std::vector<std::string> classes;

  SessionStore sessions;
  ServerMetrics metrics;
  std::unique_ptr<SourceStream> source;
  httplib::Server http;
  std::atomic<bool> stopping{false};

  // The page keeps its session id per tab (sessionStorage) and sends it in
  // X-Moodtune-Session, so two tabs of one browser do not mix; the cookie
  // serves clients without the header (curl, tools). Ids are always made
  // by the server: an unknown id starts a new session with a new id.
  std::shared_ptr<Session> session(const httplib::Request& req, httplib::Response& res);

  std::unique_ptr<AccessPolicy> access;

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
  void handle_frame(const httplib::Request& req, httplib::Response& res);
  void handle_mood(const httplib::Request& req, httplib::Response& res);
  void handle_recommendations(const httplib::Request& req, httplib::Response& res);
  void handle_feedback(const httplib::Request& req, httplib::Response& res);
  void handle_audio(const httplib::Request& req, httplib::Response& res);
  void setup_source_routes();
};

}  // namespace moodtune
