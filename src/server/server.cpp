#include "server/server.h"

#include <httplib.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include "common/emotions.h"
#include "music/catalog_pool.h"
#include "music/recommender.h"
#include "server/api_json.h"
#include "server/requests.h"
#include "server/sessions.h"
#include "server/source_stream.h"
#include "vision/image_io.h"

namespace moodtune {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kCookie = "mt_session";
constexpr const char* kSessionHeader = "X-Moodtune-Session";
thread_local std::chrono::steady_clock::time_point t_request_start;

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json{{"error", message}}.dump(), "application/json");
}

void send_json(httplib::Response& res, const json& j) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(), "application/json");
}

// Metric labels must not grow with ids or attacker-chosen paths.
std::string route_label(const std::string& path) {
  static const char* kRoutes[] = {"/api/frames", "/api/mood", "/api/recommendations", "/api/feedback",
                                  "/api/health", "/metrics", "/api/source/events", "/api/source/stream.mjpeg",
                                  "/api/source"};
  for (const char* r : kRoutes)
    if (path == r) return r;
  if (path.rfind("/api/tracks/", 0) == 0) return "/api/tracks/:id/audio";
  if (path.rfind("/api/", 0) == 0) return "/api/other";
  return "static";
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  std::string cookies = req.get_header_value("Cookie");
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

const char* audio_content_type(std::string ext) {
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".ogg" || ext == ".oga" || ext == ".opus") return "audio/ogg";
  if (ext == ".mp3") return "audio/mpeg";
  if (ext == ".flac") return "audio/flac";
  if (ext == ".wav") return "audio/wav";
  if (ext == ".m4a" || ext == ".aac") return "audio/mp4";
  return "application/octet-stream";
}


}  // namespace

struct MoodServer::Impl {
  ServerParams p;
  std::shared_ptr<const EmotionClassifier> clf;
  std::vector<std::string> classes;

  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<EmotionPipeline>> pool;

  // Requests borrow catalog connections from the pool; the recommender
  // keeps its own connection and in-memory track index behind a lock.
  std::unique_ptr<CatalogPool> catalogs;
  std::mutex recommender_mu;
  std::unique_ptr<Catalog> recommender_catalog;
  std::unique_ptr<Recommender> recommender;

  SessionStore sessions;
  ServerMetrics metrics;
  std::unique_ptr<SourceStream> source;
  httplib::Server http;
  std::atomic<bool> stopping{false};

  // Borrow a pipeline (detector + shared classifier) for one frame.
  FrameResult process(const cv::Mat& img, const std::vector<cv::Rect>& hints) {
    std::unique_ptr<EmotionPipeline> pipe;
    {
      std::unique_lock<std::mutex> lock(pool_mu);
      pool_cv.wait(lock, [&] { return !pool.empty(); });
      pipe = std::move(pool.back());
      pool.pop_back();
    }
    struct Return {
      Impl* self;
      std::unique_ptr<EmotionPipeline>& pipe;
      ~Return() {
        std::lock_guard<std::mutex> lock(self->pool_mu);
        self->pool.push_back(std::move(pipe));
        self->pool_cv.notify_one();
      }
    } give_back{this, pipe};
    return pipe->process(img, hints);
  }

  // The page keeps its session id per tab (sessionStorage) and sends it in
  // X-Moodtune-Session, so two tabs of one browser do not mix; the cookie
  // serves clients without the header (curl, tools). Ids are always made
  // by the server: an unknown id starts a new session with a new id.
  std::shared_ptr<Session> session(const httplib::Request& req, httplib::Response& res) {
    const bool by_header = req.has_header(kSessionHeader);
    std::string id = by_header ? req.get_header_value(kSessionHeader) : cookie_value(req, kCookie);
    auto s = sessions.get(id);
    res.set_header(kSessionHeader, s->id);
    if (s->id != id && !by_header)
      res.set_header("Set-Cookie", std::string(kCookie) + "=" + s->id + "; Path=/; HttpOnly; SameSite=Strict");
    return s;
  }

  // Browsers send Origin on cross-site POSTs; refusing a foreign one stops
  // other web pages from posting feedback in the listener's name.
  bool same_origin(const httplib::Request& req) {
    if (!req.has_header("Origin")) return true;
    std::string origin = req.get_header_value("Origin");
    return origin == "http://" + req.get_header_value("Host");
  }

  void setup_routes();
  void handle_frame(const httplib::Request& req, httplib::Response& res);
  void handle_mood(const httplib::Request& req, httplib::Response& res);
  void handle_recommendations(const httplib::Request& req, httplib::Response& res);
  void handle_feedback(const httplib::Request& req, httplib::Response& res);
  void handle_audio(const httplib::Request& req, httplib::Response& res);
  void setup_source_routes();
};

MoodServer::MoodServer(ServerParams p) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.p = std::move(p);
  s.sessions.set_adopt_ids(s.p.adopt_session_ids);
  if (!fs::is_directory(s.p.web_dir)) throw std::runtime_error("web folder not found: " + s.p.web_dir);
  // Everything that can fail at start fails here, before the port is bound.
  s.clf = EmotionClassifier::load(s.p.model_path);
  s.classes = s.clf->classes();
  int n = s.p.pipelines > 0 ? s.p.pipelines : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) s.pool.push_back(std::make_unique<EmotionPipeline>(s.clf, s.p.pipeline));
  if (!is_postgres_url(s.p.db_path)) {
    fs::path db(s.p.db_path);
    if (db.has_parent_path()) fs::create_directories(db.parent_path());
  }
  s.catalogs = std::make_unique<CatalogPool>(s.p.db_path, s.p.db_connections);
  s.recommender_catalog = std::make_unique<Catalog>(s.p.db_path);
  s.recommender = std::make_unique<Recommender>(*s.recommender_catalog);
  if (!s.p.source.empty()) s.source = std::make_unique<SourceStream>(s.p.source, s.clf, s.p.pipeline);
  s.setup_routes();
}

MoodServer::~MoodServer() { stop(); }

ServerMetrics& MoodServer::metrics() { return impl_->metrics; }

int MoodServer::bind() {
  Impl& s = *impl_;
  int port = s.p.port;
  if (port == 0) port = s.http.bind_to_any_port(s.p.host);
  else if (!s.http.bind_to_port(s.p.host, port)) port = -1;
  if (port <= 0)
    throw std::runtime_error("cannot listen on " + s.p.host + ":" + std::to_string(s.p.port) +
                             " (in use, or not an address of this machine)");
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
    if (req.method == "POST" && !same_origin(req)) {
      send_error(res, 403, "cross-origin requests are not accepted");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request_start).count();
    metrics.observe_request(route_label(req.path), req.method, res.status, secs);
    if (res.status >= 500) metrics.add("moodtune_errors_total", 1, "kind=\"http_5xx\"");
  });
  http.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string msg = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const DbUnavailable& e) {  // the database is down or saturated: say so, and fast
      metrics.add("moodtune_errors_total", 1, "kind=\"db_unavailable\"");
      return send_error(res, 503, std::string("database unavailable: ") + e.what());
    } catch (const std::exception& e) {
      msg = e.what();
    } catch (...) {
    }
    metrics.add("moodtune_errors_total", 1, "kind=\"exception\"");
    std::cerr << "error: " << msg << "\n";
    send_error(res, 500, msg);
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler already explained itself
    if (res.status == 413) send_error(res, 413, "request body too large");
    else if (res.status == 404) send_error(res, 404, "no such resource: " + req.path);
    else send_error(res, res.status, "request failed");
  });

  http.Post("/api/frames", [this](const auto& req, auto& res) { handle_frame(req, res); });
  http.Get("/api/mood", [this](const auto& req, auto& res) { handle_mood(req, res); });
  http.Post("/api/mood", [this](const auto& req, auto& res) { handle_mood(req, res); });
  http.Get("/api/recommendations", [this](const auto& req, auto& res) { handle_recommendations(req, res); });
  http.Post("/api/feedback", [this](const auto& req, auto& res) { handle_feedback(req, res); });
  http.Get("/api/feedback", [this](const httplib::Request& req, httplib::Response& res) {
    std::string user = req.has_param("user") ? req.get_param_value("user") : p.default_listener;
    if (!valid_listener(user)) return send_error(res, 400, "user must be 1-64 letters, digits, - _ or .");
    json items = json::array();
    for (const auto& h : catalogs->acquire()->history(user, 100))
      items.push_back({{"track", h.track_id}, {"action", h.action}, {"at", h.at}});
    send_json(res, {{"user", user}, {"feedback", items}});
  });
  http.Get(R"(/api/tracks/(\d+)/audio)", [this](const auto& req, auto& res) { handle_audio(req, res); });
  http.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
    // Frames keep working without the database, so the instance reports
    // itself degraded rather than down.
    json tracks = nullptr, db = "ok";
    try {
      auto cat = catalogs->acquire(std::chrono::milliseconds(500));
      tracks = cat->track_count();
      if (!cat->db().writable()) db = "read-only file system: feedback is not saved";
    } catch (const DbError& e) {
      db = std::string("unavailable: ") + e.what();
    }
    json j = {{"status", tracks.is_null() ? "degraded" : "ok"}, {"db", db}, {"model", p.model_path},
              {"classes", classes}, {"tracks", tracks},
              {"sessions", sessions.size()}, {"source", source ? json(source->latest().status) : json(nullptr)}};
    send_json(res, j);
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    metrics.set_gauge("moodtune_sessions", static_cast<double>(sessions.size()));
    metrics.set_gauge("moodtune_db_retries", static_cast<double>(transient_retries()));
    res.set_content(metrics.render(), "text/plain; version=0.0.4");
  });
  setup_source_routes();
  if (!http.set_mount_point("/", p.web_dir)) throw std::runtime_error("cannot serve " + p.web_dir);
}

void MoodServer::Impl::handle_frame(const httplib::Request& req, httplib::Response& res) {
  std::string type = req.get_header_value("Content-Type");
  if (type != "image/jpeg" && type != "image/png") {
    metrics.add("moodtune_errors_total", 1, "kind=\"bad_frame\"");
    return send_error(res, 415, "POST a JPEG or PNG image with Content-Type image/jpeg or image/png");
  }
  cv::Mat img;
  try {
    img = decode_image(req.body, ImageLimits{p.max_frame_bytes, 4096ll * 4096});
  } catch (const ImageError& e) {
    metrics.add("moodtune_errors_total", 1, "kind=\"bad_frame\"");
    return send_error(res, 400, std::string("cannot use this frame: ") + e.what());
  }
  auto t0 = std::chrono::steady_clock::now();
  auto s = session(req, res);
  std::vector<cv::Rect> hints;
  {
    std::lock_guard<std::mutex> lock(s->mu);
    hints = s->tracker.search_hints();
  }
  FrameResult r = process(img, hints);
  std::vector<cv::Rect> boxes;
  std::vector<std::vector<float>> probs;
  for (const auto& f : r.faces) {
    boxes.push_back(f.box);
    probs.push_back(f.probs);
  }
  json out;
  {
    std::lock_guard<std::mutex> lock(s->mu);
    auto tracks = s->tracker.update(boxes, probs);
    json faces = json::array();
    const FaceTrack* main = nullptr;
    for (const auto& t : tracks) {
      faces.push_back(face_json(t, classes));
      if (!main || t.box.area() > main->box.area()) main = &t;
    }
    if (main) {
      s->camera_mood = main->smoothed;
      s->record(main->smoothed);
    }
    out = {{"faces", faces}, {"mood", mood_json(s->mood(), s->mood_source(), classes)},
           {"image", {{"width", img.cols}, {"height", img.rows}}},
           {"ms", {{"detect", r.times.detect_ms}, {"classify", r.times.classify_ms},
                   {"total", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()}}}};
  }
  metrics.add("moodtune_frames_total", 1);
  metrics.add("moodtune_faces_total", static_cast<double>(r.faces.size()));
  send_json(res, out);
}

void MoodServer::Impl::handle_mood(const httplib::Request& req, httplib::Response& res) {
  auto s = session(req, res);
  if (req.method == "POST") {
    try {
      MoodRequest m = parse_mood_request(req.body);
      std::lock_guard<std::mutex> lock(s->mu);
      if (m.clear) s->manual.reset();
      else s->manual = m.probs;
    } catch (const std::exception& e) {
      return send_error(res, 400, std::string("bad mood: ") + e.what());
    }
  }
  std::lock_guard<std::mutex> lock(s->mu);
  json history = json::array();
  for (const auto& m : s->history) {
    VA va = mood_from_probs(m.probs, classes);
    history.push_back({{"t", m.t_ms}, {"emotion", classes[static_cast<size_t>(top_class(m.probs))]},
                       {"valence", va.valence}, {"arousal", va.arousal}});
  }
  send_json(res, {{"mood", mood_json(s->mood(), s->mood_source(), classes)}, {"history", history}});
}

void MoodServer::Impl::handle_recommendations(const httplib::Request& req, httplib::Response& res) {
  RecommendParams rp;
  std::vector<float> probs;
  std::string mood_source;
  try {
    auto strategy = parse_strategy(req.has_param("strategy") ? req.get_param_value("strategy") : "match");
    if (!strategy) throw std::invalid_argument("strategy must be match, uplift or calm");
    rp.strategy = *strategy;
    if (req.has_param("n")) {
      size_t used = 0;
      std::string n = req.get_param_value("n");
      rp.n = std::stoi(n, &used);
      if (used != n.size() || rp.n < 1 || rp.n > 50) throw std::invalid_argument("");
    }
    rp.listener = req.has_param("user") ? req.get_param_value("user") : p.default_listener;
    if (!valid_listener(rp.listener)) throw std::invalid_argument("user must be 1-64 letters, digits, - _ or .");
    if (req.has_param("emotion")) {
      int idx = emotion_index(req.get_param_value("emotion"));
      if (idx < 0) throw std::invalid_argument("unknown emotion '" + req.get_param_value("emotion") + "'");
      probs.assign(kNumEmotions, 0.0f);
      probs[static_cast<size_t>(idx)] = 1.0f;
      mood_source = "query";
    } else if (req.has_param("probs")) {
      probs = probs_from_json(json::parse(req.get_param_value("probs")));
      mood_source = "query";
    }
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    return send_error(res, 400, what.empty() ? "n must be a whole number from 1 to 50" : what);
  } catch (const std::exception& e) {
    return send_error(res, 400, std::string("bad query: ") + e.what());
  }
  if (probs.empty()) {
    auto s = session(req, res);
    std::lock_guard<std::mutex> lock(s->mu);
    probs = s->mood();
    mood_source = s->mood_source();
  }
  if (probs.empty()) {  // no face seen and nothing chosen: start from neutral
    probs.assign(kNumEmotions, 0.0f);
    probs[static_cast<size_t>(emotion_index("neutral"))] = 1.0f;
    mood_source = "default";
  }
  rp.mood_name = classes[static_cast<size_t>(top_class(probs))];
  json tracks = json::array();
  {
    std::lock_guard<std::mutex> lock(recommender_mu);
    for (const auto& r : recommender->recommend(mood_from_probs(probs, classes), rp))
      tracks.push_back(recommendation_json(r));
  }
  send_json(res, {{"mood", mood_json(probs, mood_source, classes)}, {"strategy", strategy_name(rp.strategy)},
                  {"user", rp.listener}, {"tracks", tracks}});
}

void MoodServer::Impl::handle_feedback(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
    return send_error(res, 415, "POST JSON with Content-Type application/json");
  if (req.body.size() > p.max_json_bytes) return send_error(res, 413, "JSON body larger than the limit");
  FeedbackRequest fb;
  try {
    fb = parse_feedback_request(req.body, p.default_listener);
  } catch (const std::exception& e) {
    return send_error(res, 400, std::string("bad feedback: ") + e.what());
  }
  const int64_t track = fb.track;
  const FeedbackAction action = fb.action;
  const std::string& listener = fb.user;
  try {
    auto catalog = catalogs->acquire();
    if (!catalog->find_track(track)) return send_error(res, 404, "unknown track id " + std::to_string(track));
    catalog->record_feedback(listener, track, action, "web");  // committed before we answer
  } catch (const DbError& e) {
    metrics.add("moodtune_errors_total", 1, "kind=\"db\"");
    return send_error(res, 503, std::string("feedback not saved: ") + e.what());
  }
  metrics.add("moodtune_feedback_total", 1, std::string("action=\"") + action_name(action) + "\"");
  send_json(res, {{"ok", true}, {"track", track}, {"action", action_name(action)}, {"user", listener}});
}

void MoodServer::Impl::handle_audio(const httplib::Request& req, httplib::Response& res) {
  int64_t id = 0;
  try {
    id = std::stoll(req.matches[1]);
  } catch (const std::exception&) {
    return send_error(res, 404, "unknown track");
  }
  std::optional<Track> t;
  t = catalogs->acquire()->find_track(id);
  // Only files the catalog knows are served: the id is the only input.
  if (!t) return send_error(res, 404, "unknown track id " + std::to_string(id));
  if (t->source != "local") return send_error(res, 404, "track " + std::to_string(id) + " plays through Spotify");
  std::error_code ec;
  if (!fs::is_regular_file(t->external_id, ec))
    return send_error(res, 404, "the file of track " + std::to_string(id) + " is gone; rescan the library");
  auto size = fs::file_size(t->external_id, ec);
  auto file = std::make_shared<std::ifstream>(t->external_id, std::ios::binary);
  if (ec || !*file) return send_error(res, 500, "cannot read the file of track " + std::to_string(id));
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Cache-Control", "private, max-age=3600");
  res.set_content_provider(static_cast<size_t>(size), audio_content_type(fs::path(t->external_id).extension().string()),
                           [file](size_t offset, size_t length, httplib::DataSink& sink) {
                             char buf[64 * 1024];
                             file->clear();
                             file->seekg(static_cast<std::streamoff>(offset));
                             size_t n = std::min(length, sizeof buf);
                             file->read(buf, static_cast<std::streamsize>(n));
                             auto got = static_cast<size_t>(file->gcount());
                             if (got == 0) return false;
                             return sink.write(buf, got);
                           });
}

void MoodServer::Impl::setup_source_routes() {
  auto no_source = [](httplib::Response& res) {
    send_error(res, 404, "no server-side source: start with `moodtune serve --source FILE|CAMERA_INDEX`");
  };
  http.Get("/api/source", [this, no_source](const httplib::Request&, httplib::Response& res) {
    if (!source) return no_source(res);
    auto snap = source->latest();
    send_json(res, {{"source", source->source()}, {"status", snap.status}, {"seq", snap.seq}});
  });
  http.Get("/api/source/events", [this, no_source](const httplib::Request&, httplib::Response& res) {
    if (!source) return no_source(res);
    auto seq = std::make_shared<uint64_t>(0);
    res.set_chunked_content_provider("text/event-stream", [this, seq](size_t, httplib::DataSink& sink) {
      if (stopping) {
        sink.done();
        return true;
      }
      auto snap = source->wait_next(*seq, std::chrono::seconds(1));
      std::string msg;
      if (snap.seq > *seq && !snap.event_json.empty()) {
        *seq = snap.seq;
        msg = "data: " + snap.event_json + "\n\n";
      } else {
        msg = ": keep-alive\n\n";
      }
      return sink.write(msg.data(), msg.size());
    });
  });
  http.Get("/api/source/stream.mjpeg", [this, no_source](const httplib::Request&, httplib::Response& res) {
    if (!source) return no_source(res);
    auto seq = std::make_shared<uint64_t>(0);
    res.set_chunked_content_provider("multipart/x-mixed-replace; boundary=frame",
                                     [this, seq](size_t, httplib::DataSink& sink) {
                                       if (stopping) {
                                         sink.done();
                                         return true;
                                       }
                                       auto snap = source->wait_next(*seq, std::chrono::seconds(1));
                                       if (snap.seq <= *seq || !snap.jpeg) return sink.is_writable();
                                       *seq = snap.seq;
                                       std::string head = "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                                                          std::to_string(snap.jpeg->size()) + "\r\n\r\n";
                                       return sink.write(head.data(), head.size()) &&
                                              sink.write(snap.jpeg->data(), snap.jpeg->size()) &&
                                              sink.write("\r\n", 2);
                                     });
  });
}

}  // namespace moodtune
