// serve: the web app (HTTP server + browser page).
#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "common/secure_random.h"
#include "server/access.h"
#include "server/server.h"
#include "storage/database.h"

namespace moodtune::cli {

namespace {
int g_signal_pipe[2] = {-1, -1};
void on_signal(int sig) { (void)!write(g_signal_pipe[1], &sig, sizeof sig); }

// The address a person types to reach this server: a name it answers to.
std::string address_for_people(const ServerParams& p, int port) {
  std::string host = !p.access.allowed_hosts.empty() ? p.access.allowed_hosts.front()
                     : p.host == "0.0.0.0" || p.host == "::" ? "localhost"
                                                             : p.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port) + "/";
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
  cmd->add_option("--token", p->access.token,
                  "Access token: the API then answers only a browser logged in with the link serve prints, or "
                  "Authorization: Bearer TOKEN. Made up and printed when listening beyond loopback without one "
                  "(also read from MOODTUNE_TOKEN)")
      ->envname("MOODTUNE_TOKEN");
  cmd->add_option("--timeout", p->timeout_s,
                  "Seconds a client may stall while sending; a request head must arrive within it, a whole "
                  "request within 12 times it")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  cmd->add_option("--max-client-connections", p->connection.max_per_client,
                  "Open connections per client address (0 = no cap; behind a reverse proxy all come from it)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  add_detector_options(cmd, p->pipeline.detector);
  cmd->callback([p, cmd, &exit_code] {
    guarded(exit_code, [&] {
      p->adopt_session_ids = p->adopt_session_ids || is_postgres_url(p->db_path);
      // Other machines may reach a non-loopback address: without a token of
      // the operator's own, make one (an explicit empty --token is refused).
      const bool local = is_loopback_host(p->host);
      if (!local && p->access.token.empty() && cmd->count("--token") == 0 && !std::getenv("MOODTUNE_TOKEN"))
        p->access.token = random_hex_128();
      if (!local)
        std::fprintf(stderr,
                     "note: listening on %s: other machines reach the page; the API needs the login link below. "
                     "Browsers only allow the camera on http://localhost or https.\n",
                     p->host.c_str());
      MoodServer server(*p);  // loads model and catalog: errors stop us before binding
      int port = server.bind();
      const std::string url = address_for_people(*p, port);
      std::printf("moodtune is running: open %s in your browser (Ctrl-C to stop)\n", url.c_str());
      if (!p->access.token.empty())
        std::printf("login link (keep it private; it opens the API to whoever has it): %s#login=%s\n", url.c_str(),
                    p->access.token.c_str());
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
