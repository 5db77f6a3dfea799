#include "server/server.h"

#include <httplib.h>

#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "common/emotions.h"
#include "server/api_json.h"
#include "server/audio_route.h"
#include "server/request_screen.h"
#include "server/requests.h"
#include "server/server_impl.h"
#include "server/source_stream.h"
#include "service/mood_service.h"
#include "service/sessions.h"
#include "vision/image_io.h"

namespace moodtune {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

thread_local std::chrono::steady_clock::time_point t_request_start;

// Metric labels must not grow with ids or attacker-chosen paths.
std::string route_label(const std::string& path) {
  static const char* kRoutes[] = {"/api/frames",   "/api/mood",   "/api/recommendations", "/api/feedback",
                                  "/api/health",   "/metrics",    "/api/source/events",   "/api/source/stream.mjpeg",
                                  "/api/playlist", "/api/source", "/api/calibration",     "/api/calibration/frames"};
  for (const char* r : kRoutes)
    if (path == r) return r;
  if (path.rfind("/api/tracks/", 0) == 0) return "/api/tracks/:id/audio";
  if (path.rfind("/api/", 0) == 0) return "/api/other";
  return "static";
}

int http_status(ServiceError::Kind k) {
  switch (k) {
    case ServiceError::Kind::kBadInput: return 400;
    case ServiceError::Kind::kNotFound: return 404;
    case ServiceError::Kind::kUnavailable: return 503;
  }
  return 500;
}

}  // namespace

MoodServer::MoodServer(ServerParams p) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.p = std::move(p);
  // One knob for slowness: a request head must arrive within the socket
  // timeout, a whole request (a frame upload) within 12 times that.
  s.p.connection.head_timeout = std::chrono::seconds(s.p.timeout_s);
  s.p.connection.request_timeout = 12 * s.p.connection.head_timeout;
  s.sessions.set_adopt_ids(s.p.adopt_session_ids);
  if (!fs::is_directory(s.p.web_dir)) throw std::runtime_error("web folder not found: " + s.p.web_dir);
  s.access = std::make_unique<AccessPolicy>(s.p.access, s.p.host);
  return_large_blocks_to_system();  // or the budget bounds live bytes, not the process
  s.decode_budget = std::make_unique<MemoryBudget>(
      s.p.decode_budget_bytes,
      s.p.max_decodes > 0 ? s.p.max_decodes : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  // Everything that can fail at start fails here, before the port is bound.
  ServiceParams sp;
  sp.db_path = s.p.db_path;
  sp.db_connections = s.p.db_connections;
  sp.model_path = s.p.model_path;
  sp.pipeline = s.p.pipeline;
  sp.pipelines = s.p.pipelines;
  s.service = std::make_unique<MoodService>(sp, s.p.default_listener);
  s.classes = s.service->classes();
  if (!s.p.source.empty()) s.source = std::make_unique<SourceStream>(s.p.source, s.service->classifier(), s.p.pipeline);
  s.setup_routes();
}

MoodServer::~MoodServer() { stop(); }

ServerMetrics& MoodServer::metrics() { return impl_->metrics; }

int MoodServer::bind() {
  Impl& s = *impl_;
  int port = s.p.port;
  if (port == 0)
    port = s.http.bind_to_any_port(s.p.host);
  else if (!s.http.bind_to_port(s.p.host, port))
    port = -1;
  if (port <= 0)
    throw std::runtime_error("cannot listen on " + s.p.host + ":" + std::to_string(s.p.port) +
                             " (in use, or not an address of this machine)");
  s.http.widen_backlog();
  return port;
}

void MoodServer::run() {
  if (impl_->source) impl_->source->start();
  impl_->http.listen_after_bind();
}

void MoodServer::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  if (s.source) s.source->stop();  // wakes stream handlers so they can end
  s.http.stop();
}

void MoodServer::Impl::setup_routes() {
  http.set_limits(p.connection);
  http.new_task_queue = [n = p.http_threads] { return new httplib::ThreadPool(static_cast<size_t>(n)); };
  http.set_payload_max_length(std::max(p.max_frame_bytes, p.max_json_bytes));
  http.set_read_timeout(p.timeout_s);
  http.set_write_timeout(p.timeout_s);
  http.set_keep_alive_max_count(1000);
  http.set_tcp_nodelay(true);  // small JSON answers must not wait for Nagle
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            // The page may embed Spotify's player and nothing else.
                            {"Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                             "frame-src https://open.spotify.com; connect-src 'self'"}});
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    // Who may talk to us and how much they may send, from the headers alone.
    // Routes that take a camera frame; every other body is JSON.
    const bool frame_route =
        req.path == "/api/frames" || req.path == "/api/explain" || req.path == "/api/calibration/frames";
    const size_t limit = frame_route ? p.max_frame_bytes : p.max_json_bytes;
    std::optional<Refusal> no = screen_request(*access, req, limit);
    if (!no && !may_use_api(req)) {
      no = Refusal{401,
                   "log in first: open the login link `moodtune serve` printed, or send Authorization: Bearer TOKEN"};
      res.set_header("WWW-Authenticate", "Bearer realm=\"moodtune\"");
    }
    if (!no) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, no->status, no->message);
    if (no->close_connection) res.set_header("Connection", "close");
    metrics.add("moodtune_refused_total", 1, "status=\"" + std::to_string(no->status) + "\"");
    return httplib::Server::HandlerResponse::Handled;
  });
  http.on_refused = [this](int status) {
    metrics.add("moodtune_refused_total", 1, "status=\"" + std::to_string(status) + "\"");
  };
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request_start).count();
    metrics.observe_request(route_label(req.path), req.method, res.status, secs);
    if (res.status >= 500) metrics.add("moodtune_errors_total", 1, "kind=\"http_5xx\"");
  });
  http.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string msg = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const AccessDenied& e) {
      return send_error(res, 403, e.what());
    } catch (const ServiceError& e) {
      // The database is down or saturated, or an id is unknown: say so, and fast.
      if (e.kind() == ServiceError::Kind::kUnavailable)
        metrics.add("moodtune_errors_total", 1, "kind=\"db_unavailable\"");
      return send_error(res, http_status(e.kind()), e.what());
    } catch (const std::exception& e) {
      msg = e.what();
    } catch (...) {
    }
    // The details go to the operator's log, not to the client.
    metrics.add("moodtune_errors_total", 1, "kind=\"exception\"");
    std::cerr << "error: " << req.method << " " << route_label(req.path) << ": " << msg << "\n";
    send_error(res, 500, "internal error (the server log has the details)");
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler already explained itself
    if (res.status == 413)
      send_error(res, 413, "request body too large");
    else if (res.status == 404)
      send_error(res, 404, "no such resource: " + req.path);
    else
      send_error(res, res.status, "request failed");
  });

  http.Post("/api/frames", [this](const auto& req, auto& res) { handle_frame(req, res); });
  http.Get("/api/mood", [this](const auto& req, auto& res) { handle_mood(req, res); });
  http.Post("/api/mood", [this](const auto& req, auto& res) { handle_mood(req, res); });
  http.Get("/api/recommendations", [this](const auto& req, auto& res) { handle_recommendations(req, res); });
  http.Post("/api/feedback", [this](const auto& req, auto& res) { handle_feedback(req, res); });
  http.Get("/api/feedback", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string asked = req.has_param("user") ? req.get_param_value("user") : "";
    if (!asked.empty() && !valid_listener(asked))
      return send_error(res, 400, "user must be 1-64 letters, digits, - _ or .");
    const std::string user = listener_for(req, asked);
    json items = json::array();
    for (const auto& h : service->history(user, 100))
      items.push_back({{"track", h.track_id}, {"action", h.action}, {"at", h.at}});
    send_json(res, {{"user", user}, {"feedback", items}});
  });
  http.Get(R"(/api/tracks/(\d+)/audio)", [this](const auto& req, auto& res) { handle_audio(req, res); });
  http.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
    // Frames keep working without the database, so the instance reports
    // itself degraded rather than down.
    const HealthReport h = service->health();
    json j = {{"status", h.degraded ? "degraded" : "ok"},
              {"db", h.db},
              {"model", fs::path(p.model_path).filename().string()},
              {"precision", service->classifier()->info().precision},
              {"classes", classes},
              {"tracks", h.tracks ? json(*h.tracks) : json(nullptr)},
              {"sessions", sessions.size()},
              {"source", source ? json(source->latest().status) : json(nullptr)}};
    send_json(res, j);
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    metrics.set_gauge("moodtune_sessions", static_cast<double>(sessions.size()));
    metrics.set_gauge("moodtune_db_retries", static_cast<double>(catalog_retries()));
    res.set_content(metrics.render(), "text/plain; version=0.0.4");
  });
  setup_source_routes();
  setup_auth_routes();
  setup_playlist_routes();
  setup_history_routes();
  setup_explain_routes();
  setup_calibration_routes();
  if (!http.set_mount_point("/", p.web_dir)) throw std::runtime_error("cannot serve " + p.web_dir);
}

std::optional<DecodedFrame> MoodServer::Impl::decode_frame(const httplib::Request& req, httplib::Response& res) {
  std::string type = req.get_header_value("Content-Type");
  if (type != "image/jpeg" && type != "image/png") {
    metrics.add("moodtune_errors_total", 1, "kind=\"bad_frame\"");
    send_error(res, 415, "POST a JPEG or PNG image with Content-Type image/jpeg or image/png");
    return std::nullopt;
  }
  // Pixels cost far more than the bytes that describe them (a 127 KB PNG
  // can decode to 4096x4096): reserve their memory before decoding.
  constexpr int64_t kMaxPixels = 4096ll * 4096, kBytesPerPixel = 8;
  const ImageSize size = probe_image_size(req.body);
  const int64_t pixels = size.known ? std::min<int64_t>(int64_t{size.width} * size.height, kMaxPixels) : kMaxPixels;
  DecodedFrame f;
  f.ticket = decode_budget->reserve(static_cast<size_t>(pixels * kBytesPerPixel), std::chrono::seconds(2));
  if (!f.ticket) {
    metrics.add("moodtune_errors_total", 1, "kind=\"decode_busy\"");
    send_error(res, 503, "the server is busy decoding other frames; send this one again");
    return std::nullopt;
  }
  try {
    f.image = decode_image(req.body, ImageLimits{p.max_frame_bytes, kMaxPixels});
  } catch (const ImageError& e) {
    metrics.add("moodtune_errors_total", 1, "kind=\"bad_frame\"");
    send_error(res, 400, std::string("cannot use this frame: ") + e.what());
    return std::nullopt;
  }
  return f;
}

void MoodServer::Impl::handle_frame(const httplib::Request& req, httplib::Response& res) {
  auto frame = decode_frame(req, res);
  if (!frame) return;
  const cv::Mat& img = frame->image;
  auto t0 = std::chrono::steady_clock::now();
  auto s = session(req, res);
  const FrameObservation o = service->observe_frame(*s, img);
  json faces = json::array();
  for (const auto& t : o.tracks) faces.push_back(face_json(t, classes));
  json out = {{"faces", faces},
              {"mood", mood_json(o.mood, o.mood_source, classes)},
              {"calibrated", o.calibrated},
              {"image", {{"width", img.cols}, {"height", img.rows}}},
              {"ms",
               {{"detect", o.times.detect_ms},
                {"classify", o.times.classify_ms},
                {"total", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()}}}};
  metrics.add("moodtune_frames_total", 1);
  metrics.add("moodtune_faces_total", static_cast<double>(o.tracks.size()));
  send_json(res, out);
}

void MoodServer::Impl::handle_mood(const httplib::Request& req, httplib::Response& res) {
  if (req.method == "POST" && !accept_json_body(req, res)) return;
  auto s = session(req, res);
  if (req.method == "POST") {
    try {
      MoodRequest m = parse_mood_request(req.body);
      service->set_manual_mood(*s, m.clear ? std::nullopt : std::optional<std::vector<float>>(m.probs));
    } catch (const std::exception& e) {
      return send_error(res, 400, std::string("bad mood: ") + e.what());
    }
  }
  std::lock_guard<std::mutex> lock(s->mu);
  json history = json::array();
  for (const auto& m : s->history) {
    VA va = mood_from_probs(m.probs, classes);
    history.push_back({{"t", m.t_ms},
                       {"emotion", classes[static_cast<size_t>(top_class(m.probs))]},
                       {"valence", va.valence},
                       {"arousal", va.arousal}});
  }
  send_json(res, {{"mood", mood_json(s->mood(), s->mood_source(), classes)}, {"history", history}});
}

void MoodServer::Impl::handle_recommendations(const httplib::Request& req, httplib::Response& res) {
  RecommendQuery q;
  try {
    auto strategy = parse_strategy(req.has_param("strategy") ? req.get_param_value("strategy") : "match");
    if (!strategy) throw std::invalid_argument("strategy must be match, uplift or calm");
    q.strategy = *strategy;
    if (req.has_param("n")) {
      size_t used = 0;
      std::string n = req.get_param_value("n");
      q.n = std::stoi(n, &used);
      if (used != n.size() || q.n < 1 || q.n > 50) throw std::invalid_argument("");
    }
    q.listener = req.has_param("user") ? req.get_param_value("user") : "";
    if (req.has_param("user") && !valid_listener(q.listener))
      throw std::invalid_argument("user must be 1-64 letters, digits, - _ or .");
    if (req.has_param("emotion")) {
      int idx = emotion_index(req.get_param_value("emotion"));
      if (idx < 0) throw std::invalid_argument("unknown emotion '" + req.get_param_value("emotion") + "'");
      q.probs = std::vector<float>(kNumEmotions, 0.0f);
      (*q.probs)[static_cast<size_t>(idx)] = 1.0f;
    } else if (req.has_param("probs")) {
      q.probs = probs_from_json(json::parse(req.get_param_value("probs")));  // the service checks the values
    }
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    return send_error(res, 400, what.empty() ? "n must be a whole number from 1 to 50" : what);
  } catch (const std::exception& e) {
    return send_error(res, 400, std::string("bad query: ") + e.what());
  }
  q.listener = listener_for(req, q.listener);
  std::shared_ptr<Session> s;
  if (!q.probs) s = session(req, res);
  const RecommendAnswer a = service->recommend_for(s.get(), q);
  json tracks = json::array();
  for (const auto& r : a.tracks) tracks.push_back(recommendation_json(r));
  send_json(res, {{"mood", mood_json(a.probs, a.mood_source, classes)},
                  {"strategy", strategy_name(a.strategy)},
                  {"user", a.listener},
                  {"tracks", tracks}});
}

void MoodServer::Impl::handle_feedback(const httplib::Request& req, httplib::Response& res) {
  if (!accept_json_body(req, res)) return;
  FeedbackRequest fb;
  try {
    fb = parse_feedback_request(req.body, "");
  } catch (const std::exception& e) {
    return send_error(res, 400, std::string("bad feedback: ") + e.what());
  }
  fb.user = listener_for(req, fb.user);
  // The mood the listener is in (kept only if they keep a mood history).
  std::string mood;
  if (auto s = sessions.find(session_id_of(req))) {
    std::lock_guard<std::mutex> lock(s->mu);
    if (!s->mood().empty()) mood = classes[static_cast<size_t>(top_class(s->mood()))];
  }
  try {
    service->record_feedback(fb.user, fb.track, fb.action, "web", mood);  // committed before we answer
  } catch (const ServiceError& e) {
    if (e.kind() == ServiceError::Kind::kUnavailable) metrics.add("moodtune_errors_total", 1, "kind=\"db\"");
    return send_error(res, http_status(e.kind()), e.what());
  }
  metrics.add("moodtune_feedback_total", 1, std::string("action=\"") + action_name(fb.action) + "\"");
  send_json(res, {{"ok", true}, {"track", fb.track}, {"action", action_name(fb.action)}, {"user", fb.user}});
}

void MoodServer::Impl::handle_audio(const httplib::Request& req, httplib::Response& res) {
  int64_t id = 0;
  try {
    id = std::stoll(req.matches[1]);
  } catch (const std::exception&) {
    return send_error(res, 404, "unknown track");
  }
  try {
    send_audio_file(service->audio_file(id), req, res);
  } catch (const ServiceError& e) {
    return send_error(res, http_status(e.kind()), e.what());
  }
}

}  // namespace moodtune
