// Scale-out: several real `moodtune serve` instances sharing one real
// PostgreSQL database, a round-robin client and nginx in front.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "../pg_test_server.h"
#include "music/catalog.h"
#include "server_process.h"

using namespace moodtune;
using json = nlohmann::json;

namespace {

// 40 upbeat tracks, half jazz and half metal, one artist each.
std::string write_catalog_csv(const std::filesystem::path& dir) {
  auto path = dir / "tracks.csv";
  std::ofstream f(path);
  f << "\"Track URI\",\"Track Name\",\"Artist Name(s)\",\"Album Name\",\"Genres\",\"Valence\",\"Energy\"\n";
  for (int i = 0; i < 40; ++i)
    f << "\"spotify:track:T" << i << "\",\"Song " << i << "\",\"Artist " << i << "\",\"\",\""
      << (i % 2 ? "metal" : "jazz") << "\",\"" << 0.80 + i * 0.002 << "\",\"0.75\"\n";
  return path.string();
}

std::vector<std::string> serve_args(const std::string& url) {
  return {"--db",        url,
          "--model",     test::model_path(),
          "--web",       std::string(MOODTUNE_SOURCE_DIR) + "/web",
          "--pipelines", "1",
          "--threads",   "8",
          // Behind nginx every connection comes from 127.0.0.1 (deploy/nginx/moodtune.conf).
          "--max-client-connections", "0"};
}

// Sends each request to the next instance in turn; an instance that does not
// answer is skipped (as a load balancer would), and counted.
class RoundRobin {
 public:
  explicit RoundRobin(std::vector<int> ports) : ports_(std::move(ports)) {}
  httplib::Result get(const std::string& path) {
    return each([&](httplib::Client& c) { return c.Get(path.c_str()); });
  }
  httplib::Result post(const std::string& path, const json& body) {
    return each([&](httplib::Client& c) { return c.Post(path.c_str(), body.dump(), "application/json"); });
  }
  int failovers = 0;

 private:
  template <typename F>
  httplib::Result each(F send) {
    for (size_t tries = 0; tries < ports_.size(); ++tries) {
      httplib::Client c("127.0.0.1", ports_[next_++ % ports_.size()]);
      c.set_connection_timeout(2);
      if (auto r = send(c)) return r;
      ++failovers;
    }
    return httplib::Result(nullptr, httplib::Error::Connection);
  }
  std::vector<int> ports_;
  size_t next_ = 0;
};

int count_genre(const json& recs, const std::string& genre) {
  int n = 0;
  for (const auto& t : recs["tracks"]) n += t["genres"][0] == genre;
  return n;
}

class ScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    url_ = test::PgTestServer::get().fresh_database("scale");
    auto imp = test::run_moodtune("catalog import " + write_catalog_csv(dir_) + " --db " + url_);
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    std::filesystem::create_directories(dir_ / "a");
    std::filesystem::create_directories(dir_ / "b");
    a_ = std::make_unique<test::ServerProcess>(dir_ / "a", serve_args(url_));
    b_ = std::make_unique<test::ServerProcess>(dir_ / "b", serve_args(url_));
    ASSERT_TRUE(a_->running()) << a_->stderr_text();
    ASSERT_TRUE(b_->running()) << b_->stderr_text();
  }
  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<test::ServerProcess> a_, b_;
};

TEST_F(ScaleOut, FeedbackThroughOneInstanceShapesTheOtherAndSurvivesAKill) {
  RoundRobin rr({a_->port(), b_->port()});
  // Before any feedback, an upbeat mood gets both genres.
  auto before = rr.get("/api/recommendations?user=ana&emotion=happy&n=10");
  ASSERT_TRUE(before && before->status == 200);
  ASSERT_GE(count_genre(json::parse(before->body), "metal"), 3);

  // Skip metal and like jazz, through whichever instance the client hits.
  int acked = 0;
  for (int round = 0; round < 2; ++round) {
    auto r = rr.get("/api/recommendations?user=ana&emotion=happy&n=6");
    ASSERT_TRUE(r && r->status == 200);
    const json recs = json::parse(r->body);  // kept alive: the loop below borrows from it
    for (const auto& t : recs["tracks"]) {
      const bool metal = t["genres"][0] == "metal";
      auto fb = rr.post("/api/feedback", {{"track", t["id"]}, {"action", metal ? "skip" : "like"}, {"user", "ana"}});
      ASSERT_TRUE(fb && fb->status == 200) << (fb ? fb->body : "no answer");
      ++acked;
    }
  }
  // Each instance now recommends jazz only, learned from feedback that half
  // of the time went through the other instance.
  for (int port : {a_->port(), b_->port()}) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/api/recommendations?user=ana&emotion=happy&n=5");
    ASSERT_TRUE(r && r->status == 200);
    auto recs = json::parse(r->body);
    EXPECT_EQ(count_genre(recs, "metal"), 0) << r->body;
    EXPECT_NE(recs["tracks"][0]["reason"].get<std::string>().find("you like jazz"), std::string::npos) << r->body;
  }

  // A burst of feedback, then instance A dies without warning: every
  // acknowledged write is in the database and B keeps serving.
  std::atomic<bool> stop{false};
  std::atomic<int> burst_acked{0};
  std::thread writer([&] {
    httplib::Client c("127.0.0.1", a_->port());
    for (int i = 0; !stop && i < 2000; ++i) {
      auto fb = c.Post("/api/feedback", json{{"track", 1 + i % 40}, {"action", "played"}, {"user", "bo"}}.dump(),
                       "application/json");
      if (!fb || fb->status != 200) break;
      ++burst_acked;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  a_->stop(SIGKILL);
  stop = true;
  writer.join();
  ASSERT_GT(burst_acked.load(), 5);
  Catalog cat(url_);
  EXPECT_GE(cat.history("bo", 5000).size(), static_cast<size_t>(burst_acked.load()));
  EXPECT_EQ(cat.history("ana", 5000).size(), static_cast<size_t>(acked));

  for (int i = 0; i < 6; ++i) {
    auto r = rr.get("/api/recommendations?user=ana&emotion=happy&n=5");
    ASSERT_TRUE(r && r->status == 200);
  }
  EXPECT_GE(rr.failovers, 3);  // half of those went to the dead instance first
}

TEST_F(ScaleOut, ASessionMovedToAnotherInstanceContinues) {
  httplib::Client ca("127.0.0.1", a_->port()), cb("127.0.0.1", b_->port());
  auto first =
      ca.Post("/api/mood", httplib::Headers{{"X-Moodtune-Session", "new"}}, R"({"emotion":"sad"})", "application/json");
  ASSERT_TRUE(first && first->status == 200) << (first ? first->body : "");
  const std::string id = first->get_header_value("X-Moodtune-Session");
  ASSERT_EQ(id.size(), 32u);
  // The same session id on the other instance keeps its id (the mood
  // itself is per instance and is rebuilt from the next frames).
  auto moved = cb.Get("/api/mood", httplib::Headers{{"X-Moodtune-Session", id}});
  ASSERT_TRUE(moved && moved->status == 200);
  EXPECT_EQ(moved->get_header_value("X-Moodtune-Session"), id);
  // Ids in any other format are still replaced.
  auto odd = cb.Get("/api/mood", httplib::Headers{{"X-Moodtune-Session", "attacker-chosen"}});
  ASSERT_TRUE(odd);
  EXPECT_NE(odd->get_header_value("X-Moodtune-Session"), "attacker-chosen");
}

TEST_F(ScaleOut, TheDatabaseGoingAwayFailsFastAndRecovers) {
  httplib::Client c("127.0.0.1", a_->port());
  c.set_read_timeout(10);
  auto& pg = test::PgTestServer::get();
  pg.stop();
  auto t0 = std::chrono::steady_clock::now();
  auto fb = c.Post("/api/feedback", R"({"track":1,"action":"like","user":"cy"})", "application/json");
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->status, 503) << fb->body;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  auto health = c.Get("/api/health");
  ASSERT_TRUE(health && health->status == 200);
  EXPECT_EQ(json::parse(health->body)["status"], "degraded") << health->body;
  // Frames do not need the database.
  std::vector<uchar> jpg;
  cv::imencode(".jpg", cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 90, 90)), jpg);
  auto frame = c.Post("/api/frames", std::string(jpg.begin(), jpg.end()), "image/jpeg");
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->status, 200) << frame->body;

  pg.start();
  int status = 0;
  for (int i = 0; i < 40 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto again = c.Post("/api/feedback", R"({"track":1,"action":"like","user":"cy"})", "application/json");
    status = again ? again->status : 0;
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(Catalog(url_).history("cy", 10).size(), 1u);
}

TEST(ScaleOutStart, ADatabaseThatIsDownStopsTheServerBeforeBinding) {
  auto dir = test::temp_dir("scale-down-at-start");
  test::ServerProcess s(dir, serve_args("postgresql://moodtune@127.0.0.1:1/moodtune"));
  EXPECT_FALSE(s.running());
  EXPECT_NE(s.exit_code(), 0);
  EXPECT_NE(s.stderr_text().find("cannot connect to PostgreSQL"), std::string::npos) << s.stderr_text();
}

TEST_F(ScaleOut, NginxWithTheShippedConfigBalancesBothInstances) {
  // The example configuration, with this test's ports.
  std::string conf = test::slurp(std::string(MOODTUNE_SOURCE_DIR) + "/deploy/nginx/moodtune.conf");
  const int front = test::PgTestServer::free_port();
  auto sub = [&](const std::string& from, const std::string& to) {
    size_t at = conf.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    conf.replace(at, from.size(), to);
  };
  sub("127.0.0.1:8081", "127.0.0.1:" + std::to_string(a_->port()));
  sub("127.0.0.1:8082", "127.0.0.1:" + std::to_string(b_->port()));
  sub("listen 127.0.0.1:8080", "listen 127.0.0.1:" + std::to_string(front));
  auto ng = dir_ / "nginx";
  std::filesystem::create_directories(ng / "logs");
  std::ofstream(ng / "moodtune.conf") << conf;
  std::ofstream(ng / "nginx.conf") << "daemon off;\nworker_processes 1;\npid " << (ng / "nginx.pid").string()
                                   << ";\nerror_log " << (ng / "logs/error.log").string()
                                   << ";\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path "
                                   << (ng / "body").string() << ";\n  proxy_temp_path " << (ng / "proxy").string()
                                   << ";\n  include " << (ng / "moodtune.conf").string() << ";\n}\n";
  const std::string nginx = "/usr/sbin/nginx -p " + ng.string() + " -c " + (ng / "nginx.conf").string();
  ASSERT_EQ(std::system((nginx + " -t -q").c_str()), 0) << test::slurp(ng / "logs/error.log");
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + nginx).c_str(), nullptr);
    _exit(127);
  }
  struct Stop {
    pid_t pid;
    ~Stop() {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  } stop{pid};

  httplib::Client c("127.0.0.1", front);
  int health = 0;
  for (int i = 0; i < 50 && health != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto r = c.Get("/api/health");
    health = r ? r->status : 0;
  }
  ASSERT_EQ(health, 200) << test::slurp(ng / "logs/error.log");
  // New sessions spread over both instances; each session stays on one.
  std::set<std::string> served_by;
  for (int i = 0; i < 12; ++i) {
    auto r = c.Post("/api/mood", httplib::Headers{{"X-Moodtune-Session", "new"}}, R"({"emotion":"happy"})",
                    "application/json");
    ASSERT_TRUE(r && r->status == 200);
    const std::string id = r->get_header_value("X-Moodtune-Session");
    // The first request was routed by the hash of "new"; from now on the
    // id's hash picks the instance, which adopts the id: set the mood there.
    auto set =
        c.Post("/api/mood", httplib::Headers{{"X-Moodtune-Session", id}}, R"({"emotion":"happy"})", "application/json");
    ASSERT_TRUE(set && set->status == 200);
    EXPECT_EQ(set->get_header_value("X-Moodtune-Session"), id);
    for (int k = 0; k < 3; ++k) {
      auto m = c.Get("/api/mood", httplib::Headers{{"X-Moodtune-Session", id}});
      ASSERT_TRUE(m && m->status == 200);
      EXPECT_EQ(json::parse(m->body)["mood"]["source"], "manual") << "session " << id << " lost its mood";
    }
  }
  // A page's feedback goes through the proxy (Origin matches the proxied Host).
  auto fb = c.Post("/api/feedback", httplib::Headers{{"Origin", "http://127.0.0.1:" + std::to_string(front)}},
                   R"({"track":2,"action":"like","user":"dee"})", "application/json");
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->status, 200) << fb->body;
  // Frames larger than the limit stop at the proxy.
  auto big = c.Post("/api/frames", std::string(5 << 20, 'x'), "image/jpeg");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  // Both instances served requests through the proxy.
  for (int port : {a_->port(), b_->port()}) {
    httplib::Client direct("127.0.0.1", port);
    auto m = direct.Get("/metrics");
    ASSERT_TRUE(m);
    EXPECT_NE(m->body.find("route=\"/api/mood\""), std::string::npos) << "instance on " << port << " got no sessions";
  }
}

}  // namespace
