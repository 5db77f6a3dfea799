// server.h — `moodtune serve`: the HTTP server behind the browser page.
//
//   moodtune::ServerParams p;            // 127.0.0.1:8080, default model and db
//   p.db_path = "moodtune.db";
//   moodtune::MoodServer server(p);       // loads the model, opens the catalog: throws on error
//   int port = server.bind();             // before any request is served
//   server.run();                         // until stop() (e.g. from a SIGTERM watcher)
//
// Endpoints (JSON unless noted): POST /api/frames (a JPEG or PNG; faces and
// the session's smoothed mood), GET|POST /api/mood, GET /api/recommendations,
// POST /api/feedback, GET /api/tracks/ID/audio (local files, HTTP ranges),
// GET|POST /api/calibration, POST /api/calibration/frames|delete (a
// listener's neutral face, calibration_routes.cpp),
// POST /api/login|logout (with an access token), GET /api/health,
// GET /metrics (Prometheus text), and in --source mode
// GET /api/source/stream.mjpeg and /api/source/events (server-sent events).
// Static files of the page come from web_dir.
//
// Privacy and safety (docs/security.md): frames are decoded in memory and
// never written; only known Host names get an answer (421 otherwise: DNS
// rebinding); state changes need an allowed Origin and their Content-Type;
// other sites' subresource requests to the API are refused; no CORS headers
// are sent; a body needs a Content-Length within its route's limit, checked
// before it is read (411, 413); session ids are 128 random bits from the
// kernel; /metrics answers this machine (or the token) only; beyond
// loopback an access token is required and a logged-in session acts for its
// own listener only; request heads, deadlines, connections per address and
// decode memory are bounded (guarded_http.h); errors name what was wrong
// with the request, never paths or internals.
// Thread safety: run() serves requests on a pool of threads; stop() may be
// called from any thread and lets in-flight requests finish.
#pragma once
#include <memory>
#include <string>

#include "server/access.h"
#include "server/metrics.h"
#include "server/request_limits.h"
#include "vision/pipeline.h"

namespace moodtune {

struct ServerParams {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // 0 = any free port (see bind())
  std::string db_path;             // catalog: SQLite file or postgresql:// URL (required)
  int db_connections = 8;          // catalog connections shared by request threads
  std::string model_path;          // emotion model file (required)
  std::string web_dir;             // the page's static files (required)
  std::string source;              // optional server-side video file or camera index
  PipelineParams pipeline;
  int pipelines = 0;  // frames processed at once (0 = one per core)
  // Request threads. A connection holds one while it sends (so a slow
  // sender holds one until the timeout); plenty of idle threads keep ~90
  // stalled connections from starving other clients. Beyond that, put a
  // reverse proxy in front.
  int http_threads = 96;
  AccessParams access;  // Host names and page origins besides this machine's own
  size_t max_frame_bytes = 4u << 20;
  size_t max_json_bytes = 64u << 10;
  // Decoded frames in flight: their pixels (estimated from the image header
  // at 8 bytes per pixel: the picture, the decoder's own buffer, the grey
  // copy) and how many at once. Beyond it a frame waits up to 2 s, then 503.
  // So that the process really shrinks back, constructing a server sets
  // glibc's mmap threshold process-wide (return_large_blocks_to_system).
  size_t decode_budget_bytes = 256u << 20;
  int max_decodes = 0;  // 0 = one per core: more only compete for the same cores
  int timeout_s = 10;   // socket read/write timeout; also the deadline of a request head (x12: whole request)
  // Request heads (size, fields: 431), their deadline (408) and open
  // connections per client address (503), enforced before cpp-httplib;
  // its timeouts are set from timeout_s.
  ConnectionLimits connection;
  // Open --source streams (events and MJPEG together): each holds a request
  // thread for as long as it is watched.
  int max_streams = 8;
  std::string default_listener = "you";
  // Keep unknown but well-formed session ids (several instances behind a
  // load balancer; see SessionStore). `serve` turns it on for PostgreSQL.
  bool adopt_session_ids = false;
};

class MoodServer {
 public:
  explicit MoodServer(ServerParams p);
  ~MoodServer();
  MoodServer(const MoodServer&) = delete;
  MoodServer& operator=(const MoodServer&) = delete;

  int bind();  // binds host:port, returns the port; throws std::runtime_error
  void run();  // serves until stop(); bind() first
  void stop();
  ServerMetrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace moodtune
