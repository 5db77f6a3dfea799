// moodtune-dev serve: the web server measured from outside, as browsers
// use it. Starts `moodtune serve` as a child process on a free port, then
// (1) one client posts frames back to back: the frame round trip;
// (2) N clients post frames at F per second each for S seconds, with
//     recommendation requests and likes mixed in: latency under load, errors,
//     the server's resident memory, and every acknowledged like found in the
//     database afterwards.
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <thread>

#include "benchmarks/pipeline_bench.h"
#include "cli/commands.h"
#include "common/stats.h"
#include "dev/dev_commands.h"
#include "kit/server_process.h"
#include "music/library_scan.h"

namespace moodtune::dev {
using namespace moodtune::cli;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// "mt_session=ID" from a first answer's Set-Cookie, to send back.
std::string session_cookie(const httplib::Response& r) {
  const std::string c = r.get_header_value("Set-Cookie");
  return c.substr(0, c.find(';'));
}

nlohmann::json summary_json(const std::vector<double>& v) {
  nlohmann::json j = summarise(v).to_json();
  j["p99_ms"] = percentile(v, 0.99);
  return j;
}

struct ServeOpts {
  std::string model = default_model_path(), image, fer, json, music = kDefaultMusicDir;
  int clients = 10, fps = 10, seconds = 60, roundtrip = 300, pipelines = 0;
  double max_rss_growth_mb = 0;  // > 0: fail when the server grows more than this during the load
};

int bench_serve(const ServeOpts& o) {
  cv::Mat frame = benchmark_frame(o.image, fer_root(o.fer));
  std::vector<uchar> jpg;
  cv::imencode(".jpg", frame, jpg, {cv::IMWRITE_JPEG_QUALITY, 75});
  const std::string body(jpg.begin(), jpg.end());

  fs::path dir = fs::temp_directory_path() / ("moodtune-bench-serve-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string db = (dir / "bench.db").string();
  {  // a few real tracks so likes have something to point at
    Catalog cat(db);
    const fs::path music = o.music;
    if (fs::is_directory(music)) {
      fs::create_directories(dir / "music");
      for (const char* f : {"sad.ogg", "victory.ogg", "defeat.ogg"}) fs::copy_file(music / f, dir / "music" / f);
      LibraryScanParams lp;
      lp.progress = false;
      scan_library(cat, (dir / "music").string(), lp);
    }
  }
  std::vector<std::string> args = {"--db", db, "--model", o.model};
  if (o.pipelines > 0) args.insert(args.end(), {"--pipelines", std::to_string(o.pipelines)});
  kit::ServerProcess server(kit::sibling_binary("moodtune"), dir, args);
  if (!server.running()) throw std::runtime_error("the server did not start: " + server.stderr_text());
  std::fprintf(stderr, "server pid %d on port %d, frame %d bytes\n", server.pid(), server.port(), int(body.size()));

  // (1) Round trip: one client, one frame at a time.
  std::vector<double> rt;
  {
    httplib::Client c("127.0.0.1", server.port());
    std::string cookie;
    for (int i = 0; i < o.roundtrip + 20; ++i) {
      httplib::Headers h;
      if (!cookie.empty()) h.emplace("Cookie", cookie);
      auto t0 = Clock::now();
      auto r = c.Post("/api/frames", h, body, "image/jpeg");
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (!r || r->status != 200) throw std::runtime_error("frame request failed during the round-trip phase");
      if (cookie.empty()) cookie = session_cookie(*r);
      if (i >= 20) rt.push_back(ms);  // the first frames warm up the pipelines
    }
  }
  Summary rts = summarise(rt);
  std::fprintf(stderr, "round trip: median %.1f ms, p95 %.1f ms (%zu frames)\n", rts.median, rts.p95, rt.size());

  // (2) Load.
  std::mutex mu;
  std::vector<double> lat;
  std::atomic<int> errors{0}, likes_acked{0}, recs{0};
  std::atomic<bool> done{false};
  double rss_peak = kit::rss_mb(server.pid()), rss_start = rss_peak;
  std::thread sampler([&] {
    while (!done) {
      rss_peak = std::max(rss_peak, kit::rss_mb(server.pid()));
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  auto t_start = Clock::now();
  std::vector<std::thread> clients;
  for (int k = 0; k < o.clients; ++k) {
    clients.emplace_back([&, k] {
      httplib::Client c("127.0.0.1", server.port());
      c.set_read_timeout(10);
      std::mt19937 rng(static_cast<unsigned>(k));
      std::string cookie;
      std::vector<double> mine;
      auto period = std::chrono::microseconds(1000000 / o.fps);
      auto next = Clock::now() + std::chrono::microseconds(rng() % 100000);  // spread the clients
      const auto end = t_start + std::chrono::seconds(o.seconds);
      for (int i = 0; next < end; ++i) {
        std::this_thread::sleep_until(next);
        next += period;
        httplib::Headers h;
        if (!cookie.empty()) h.emplace("Cookie", cookie);
        auto t0 = Clock::now();
        auto r = c.Post("/api/frames", h, body, "image/jpeg");
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!r || r->status != 200) {
          ++errors;
          continue;
        }
        if (cookie.empty()) cookie = session_cookie(*r);
        if (i % 10 == 5) {  // what the page does when the mood changes
          auto rr = c.Get("/api/recommendations?n=10", h);
          if (!rr || rr->status != 200)
            ++errors;
          else {
            ++recs;
            auto tracks = nlohmann::json::parse(rr->body)["tracks"];
            if (!tracks.empty() && i % 20 == 5) {
              nlohmann::json fb = {
                  {"track", tracks[0]["id"]}, {"action", "like"}, {"user", "load" + std::to_string(k)}};
              auto fr = c.Post("/api/feedback", fb.dump(), "application/json");
              if (fr && fr->status == 200)
                ++likes_acked;
              else
                ++errors;
            }
          }
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : clients) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - t_start).count();
  done = true;
  sampler.join();
  double rss_end = kit::rss_mb(server.pid());

  int likes_found = 0;
  {
    Catalog cat(db, true);
    for (int k = 0; k < o.clients; ++k)
      for (const auto& h : cat.history("load" + std::to_string(k), 100000)) likes_found += h.action == "like";
  }
  Summary ls = summarise(lat);
  double p99 = percentile(lat, 0.99);
  std::fprintf(stderr,
               "load: %d clients x %d fps for %d s: %zu frames (%.1f/s), %d errors, median %.1f ms, p95 %.1f ms, "
               "p99 %.1f ms; server RSS %.0f MB start, %.0f MB peak; likes acknowledged %d, found %d\n",
               o.clients, o.fps, o.seconds, lat.size(), lat.size() / wall, errors.load(), ls.median, ls.p95, p99,
               rss_start, rss_peak, likes_acked.load(), likes_found);
  nlohmann::json out = {{"frame_bytes", body.size()},
                        {"roundtrip", summary_json(rt)},
                        {"load",
                         {{"clients", o.clients},
                          {"fps_per_client", o.fps},
                          {"seconds", o.seconds},
                          {"frames", lat.size()},
                          {"frames_per_s", lat.size() / wall},
                          {"errors", errors.load()},
                          {"recommendations", recs.load()},
                          {"latency", summary_json(lat)},
                          {"rss_mb_start", rss_start},
                          {"rss_mb_peak", rss_peak},
                          {"rss_mb_end", rss_end},
                          {"likes_acknowledged", likes_acked.load()},
                          {"likes_found", likes_found}}},
                        {"cores", std::thread::hardware_concurrency()},
                        {"note", "client and server share the machine's cores"}};
  write_json(o.json, out);
  fs::remove_all(dir);
  bool ok = errors == 0 && likes_found == likes_acked;
  if (o.max_rss_growth_mb > 0 && rss_peak - rss_start > o.max_rss_growth_mb) {
    std::fprintf(stderr, "server memory grew %.0f MB, more than the allowed %.0f MB\n", rss_peak - rss_start,
                 o.max_rss_growth_mb);
    ok = false;
  }
  if (!ok) std::fprintf(stderr, "FAILED: errors, lost likes or memory growth (see above)\n");
  return ok ? 0 : 1;
}

}  // namespace

void add_serve_bench(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ServeOpts>();
  auto* cmd = app.add_subcommand("serve", "Frame round trip and load against a real `moodtune serve`");
  cmd->add_option("--model", o->model, kModelOptionHelp)->capture_default_str();
  cmd->add_option("--image", o->image, "Frame to post (default: a FER2013 val face in a 640x480 frame)");
  cmd->add_option("--fer", o->fer, "FER2013 folder (default: the cache made by scripts/fer2013.sh)");
  cmd->add_option("--clients", o->clients, "Simultaneous clients in the load phase")->capture_default_str();
  cmd->add_option("--fps", o->fps, "Frames per second per client")->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Length of the load phase")->capture_default_str();
  cmd->add_option("--roundtrip", o->roundtrip, "Frames in the round-trip phase")->capture_default_str();
  cmd->add_option("--pipelines", o->pipelines, "Server's --pipelines (0 = its default)")->capture_default_str();
  cmd->add_option("--max-rss-growth-mb", o->max_rss_growth_mb,
                  "Fail (exit 1) when the server's memory grows more than this during the load (soak check)");
  cmd->add_option("--music", o->music, "Folder whose first tracks the server's catalog gets (likes point at them)")
      ->capture_default_str();
  cmd->add_option("--json", o->json, "Write results as JSON");
  cmd->callback([o, &exit_code] { guarded(exit_code, [&] { return bench_serve(*o); }); });
}

}  // namespace moodtune::dev
