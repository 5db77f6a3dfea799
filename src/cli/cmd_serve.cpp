// serve: the web app (HTTP server + browser page).
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "server/server.h"
#include "storage/database.h"

namespace moodtune::cli {

namespace {
int g_signal_pipe[2] = {-1, -1};
void on_signal(int sig) { (void)!write(g_signal_pipe[1], &sig, sizeof sig); }

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}
}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Start the web app: camera, emotions, recommendations, playback");
  auto p = std::make_shared<ServerParams>();
  p->db_path = default_db_path();
  p->model_path = default_model_path();
  p->web_dir = default_web_dir();
  cmd->add_option("--host", p->host, "Address to listen on (loopback by default: the camera is private)")
      ->capture_default_str();
  cmd->add_option("--port", p->port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--db", p->db_path, kDbHelp)->capture_default_str();
  cmd->add_option("--db-connections", p->db_connections, "Catalog connections shared by the request threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--model", p->model_path, kModelOptionHelp)->capture_default_str();
  cmd->add_option("--source", p->source, "Also analyse a video file or camera index on the server (kiosk/demo mode)");
  cmd->add_option("--web", p->web_dir, "Folder with the page's files")->capture_default_str();
  cmd->add_option("--pipelines", p->pipelines, "Frames analysed at once (0 = one per core)")->capture_default_str();
  cmd->add_option("--threads", p->http_threads, "HTTP worker threads")->capture_default_str();
  cmd->add_option("--max-frame-bytes", p->max_frame_bytes, "Largest accepted frame upload, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1024}, size_t{64} << 20));
  cmd->add_option("--allowed-host", p->access.allowed_hosts,
                  "Also answer requests for this Host name (repeatable; loopback names and the --host address "
                  "always work; anything else gets 421, which stops DNS rebinding)");
  cmd->add_option("--public-origin", p->access.public_origins,
                  "The page's origin behind a reverse proxy, e.g. https://music.example.org (repeatable; "
                  "state changes from other origins are refused)");
  cmd->add_option("--max-streams", p->max_streams, "Open --source streams (events and MJPEG) at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  add_detector_options(cmd, p->pipeline.detector);
  cmd->callback([p, &exit_code] {
    guarded(exit_code, [&] {
      p->adopt_session_ids = p->adopt_session_ids || is_postgres_url(p->db_path);
      if (!is_loopback(p->host))
        std::fprintf(stderr,
                     "warning: listening on %s: anyone who can reach this address can send frames and feedback. "
                     "Browsers only allow the camera on http://localhost or https.\n",
                     p->host.c_str());
      MoodServer server(*p);  // loads model and catalog: errors stop us before binding
      int port = server.bind();
      std::string shown = p->host == "0.0.0.0" ? "localhost" : p->host;
      std::printf("moodtune is running: open http://%s:%d/ in your browser (Ctrl-C to stop)\n", shown.c_str(), port);
      std::fflush(stdout);
      // Signals arrive on any thread (libraries start their own before we
      // could mask them), so the handler only writes to a pipe; a watcher
      // thread turns that into a graceful stop.
      if (pipe(g_signal_pipe) != 0) throw std::runtime_error("cannot create a pipe for signal handling");
      struct sigaction sa {};
      sa.sa_handler = on_signal;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGINT, &sa, nullptr);
      sigaction(SIGTERM, &sa, nullptr);
      std::thread watcher([&server] {
        int sig = 0;
        if (read(g_signal_pipe[0], &sig, sizeof sig) == sizeof sig && sig != 0) {
          std::fprintf(stderr, "stopping (signal %d): finishing requests\n", sig);
          server.stop();
        }
      });
      server.run();
      int none = 0;  // run() also returns if listening fails: release the watcher
      (void)!write(g_signal_pipe[1], &none, sizeof none);
      watcher.join();
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      std::fprintf(stderr, "stopped\n");
      return 0;
    });
  });
}

}  // namespace moodtune::cli
