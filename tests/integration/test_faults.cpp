// Faults: processes killed mid-write, a database that refuses writes while
// serving, and a server-side video source that disappears and comes back.
#include <gtest/gtest.h>

#include <httplib.h>
#include <functional>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "../store_backends.h"
#include "music/catalog.h"
#include "server_process.h"
#include "storage/sqlite_db.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

const char* kWesnoth = "/usr/share/games/wesnoth/1.16/data/core/music";

std::string spotify_csv() { return std::string(MOODTUNE_SOURCE_DIR) + "/../shared/data/catalog/spotify_songs.csv"; }

// Starts `moodtune ARGS`, waits until `started()` says its work is under
// way (a slow start, e.g. under a sanitizer, must not be mistaken for
// progress), lets it run `ms` longer and SIGKILLs it. True if it was killed,
// false if it had already finished.
bool kill_while_running(const std::vector<std::string>& args, const std::function<bool()>& started, int ms) {
  pid_t pid = test::spawn_moodtune(args);
  for (int i = 0; i < 3000 && !started(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// The catalog exists and is migrated: an import is about to write tracks.
bool migrated(const std::string& db) {
  try {
    const bool pg = is_postgres_url(db);
    if (!pg && !fs::exists(db)) return false;
    return open_database(db, !pg)->schema_version() == Catalog::kSchemaVersion;
  } catch (const DbError&) {
    return false;
  }
}

// The store is consistent: SQLite's own check, and for both stores no row
// that points at a missing track.
void expect_intact(const std::string& db) {
  auto d = open_database(db, !is_postgres_url(db));
  if (d->dialect() == Dialect::kSqlite) {
    auto st = d->prepare("PRAGMA integrity_check");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.text(0), "ok");
  }
  auto st = d->prepare(
      "SELECT (SELECT count(*) FROM track_genres g LEFT JOIN tracks t ON t.id = g.track_id WHERE t.id IS NULL) + "
      "(SELECT count(*) FROM library_files f LEFT JOIN tracks t ON t.id = f.track_id WHERE t.id IS NULL)");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.int64(0), 0);
}

class KilledWriters : public test::StoreTest {};
MOODTUNE_ON_BOTH_STORES(KilledWriters);

TEST_P(KilledWriters, KilledImportLeavesNothingHalfDoneAndARerunCompletes) {
  ASSERT_TRUE(fs::exists(spotify_csv())) << spotify_csv();
  const std::string db = location("fault_import");
  EXPECT_TRUE(kill_while_running(
      {"catalog", "import", spotify_csv(), "--db", db}, [&] { return migrated(db); }, 300))
      << "import finished too fast to be killed";
  expect_intact(db);
  {
    Catalog cat(db);
    // One transaction per file: all or nothing, and not reported as done.
    EXPECT_EQ(cat.track_count(), 0);
    EXPECT_TRUE(cat.stats().imports.empty());
  }
  auto r = test::run_moodtune("catalog import " + spotify_csv() + " --db " + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Catalog cat(db);
  EXPECT_EQ(cat.track_count(), 28356);
  EXPECT_EQ(cat.stats().imports.size(), 1u);
}

int64_t scanned_files(const std::string& db) {
  if (!is_postgres_url(db) && !fs::exists(db)) return 0;
  try {
    auto d = open_database(db, !is_postgres_url(db));
    auto st = d->prepare("SELECT COUNT(*) FROM library_files f JOIN tracks t ON t.id = f.track_id");
    return st.step() ? st.int64(0) : 0;
  } catch (const DbError&) {
    return 0;  // not created or not migrated yet
  }
}

TEST_P(KilledWriters, KilledLibraryScanKeepsFinishedFilesAndARerunDoesTheRest) {
  auto dir = test::temp_dir("fault-scan-" + GetParam());
  fs::create_directories(dir / "music");
  const char* files[] = {"sad.ogg", "victory.ogg", "defeat.ogg", "knolls.ogg", "vengeful.ogg", "battle.ogg"};
  for (const char* f : files) fs::copy_file(fs::path(kWesnoth) / f, dir / "music" / f);
  const std::string db = location("fault_scan");
  // Kill the scan (SIGKILL) as soon as the first file is committed.
  pid_t pid = fork();
  if (pid == 0) {
    FILE* o = freopen("/dev/null", "w", stdout);
    FILE* e = freopen("/dev/null", "w", stderr);
    (void)o, (void)e;
    execl(MOODTUNE_BINARY, MOODTUNE_BINARY, "library", "scan", (dir / "music").c_str(), "--threads", "1", "--db",
          db.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 600 && scanned_files(db) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the scan finished before it could be killed";
  expect_intact(db);
  const int64_t done = scanned_files(db);
  EXPECT_GE(done, 1);
  EXPECT_LT(done, 6);
  auto r = test::run_moodtune("library scan " + (dir / "music").string() + " --db " + db + " --json -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["unchanged"].get<int64_t>(), done);
  EXPECT_EQ(j["analysed"].get<int64_t>(), 6 - done);
  Catalog cat(db);
  EXPECT_EQ(cat.track_count(), 6);
}

// A real full disk and a real read-only file system under the database
// (a 4 MiB tmpfs, filled, then remounted read-only) while serving.
TEST(Faults, AFullDiskAndAReadOnlyFileSystemFailFeedbackClearlyAndLoseNothing) {
  auto dir = test::temp_dir("fault-disk");
  const fs::path mnt = dir / "mnt";
  fs::create_directories(mnt);
  if (std::system(("mount -t tmpfs -o size=4m tmpfs " + mnt.string() + " 2>/dev/null").c_str()) != 0)
    GTEST_SKIP() << "mounting a tmpfs needs root with CAP_SYS_ADMIN (CI has it)";
  struct Unmount {
    fs::path p;
    ~Unmount() { std::system(("umount -l " + p.string() + " 2>/dev/null").c_str()); }
  } unmount{mnt};
  const std::string db = (mnt / "m.db").string();
  {
    Catalog cat(db);
    Track t;
    t.source = "spotify";
    t.external_id = "T1";
    t.title = "Song";
    t.artist = "Artist";
    t.valence = 0.6;
    t.energy = 0.6;
    cat.upsert_track(t);
  }
  test::ServerProcess s(dir, {"--db", db});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  httplib::Client c("127.0.0.1", s.port());
  c.set_read_timeout(30);
  const std::string like = R"({"track": 1, "action": "like", "user": "lee"})";
  std::vector<uchar> jpg;
  cv::imencode(".jpg", cv::Mat(240, 320, CV_8UC3, cv::Scalar(80, 80, 80)), jpg);
  const std::string frame(jpg.begin(), jpg.end());
  auto post = [&](const std::string& path, const std::string& body, const char* type) {
    auto r = c.Post(path.c_str(), body, type);
    return r ? r->status : 0;
  };
  int acked = 0;
  ASSERT_EQ(post("/api/feedback", like, "application/json"), 200);
  ++acked;

  // Fill the file system to the last byte.
  std::system(("dd if=/dev/zero of=" + (mnt / "filler").string() + " bs=4k 2>/dev/null").c_str());
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = c.Post("/api/feedback", like, "application/json");
    ASSERT_TRUE(r);
    if (r->status == 200) {
      ++acked;  // fitted into a page SQLite already had
      continue;
    }
    EXPECT_EQ(r->status, 503) << r->body;
    EXPECT_NE(r->body.find("full"), std::string::npos) << r->body;
    ++refused;
  }
  EXPECT_GE(refused, 15);
  EXPECT_EQ(post("/api/frames", frame, "image/jpeg"), 200);  // frames never need the disk
  fs::remove(mnt / "filler");
  ASSERT_EQ(post("/api/feedback", like, "application/json"), 200);
  ++acked;

  EXPECT_EQ(s.stop(), 0);

  // The file system made read-only (Linux refuses that while files are open
  // for writing, so between two runs): the server starts, serves frames and
  // recommendations, says so in its health, and refuses feedback clearly.
  ASSERT_EQ(std::system(("mount -o remount,ro " + mnt.string()).c_str()), 0);
  {
    fs::create_directories(dir / "ro");
    test::ServerProcess ro(dir / "ro", {"--db", db});
    ASSERT_TRUE(ro.running()) << ro.stderr_text();
    httplib::Client rc("127.0.0.1", ro.port());
    auto r = rc.Post("/api/feedback", like, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << r->body;
    EXPECT_NE(r->body.find("readonly"), std::string::npos) << r->body;
    r = rc.Post("/api/frames", frame, "image/jpeg");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    r = rc.Get("/api/recommendations?emotion=happy&n=1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    r = rc.Get("/api/health");
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find("read-only file system"), std::string::npos) << r->body;
    EXPECT_EQ(ro.stop(), 0);
  }
  ASSERT_EQ(std::system(("mount -o remount,rw " + mnt.string()).c_str()), 0);

  Catalog cat(db);
  EXPECT_EQ(cat.history("lee", 100).size(), static_cast<size_t>(acked));  // every acknowledged like, nothing else
  expect_intact(db);
}

TEST(Faults, ADatabaseThatRefusesWritesFailsFeedbackClearlyAndFramesGoOn) {
  auto dir = test::temp_dir("fault-locked");
  fs::create_directories(dir / "music");
  fs::copy_file(fs::path(kWesnoth) / "sad.ogg", dir / "music" / "sad.ogg");
  const std::string db = (dir / "m.db").string();
  ASSERT_EQ(test::run_moodtune("library scan " + (dir / "music").string() + " --db " + db).exit_code, 0);
  test::ServerProcess s(dir, {"--db", db});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  httplib::Client c("127.0.0.1", s.port());
  c.set_read_timeout(30);
  const std::string like = R"({"track": 1, "action": "like", "user": "lee"})";

  SqliteDb blocker(db);
  blocker.exec("BEGIN EXCLUSIVE");  // another writer holds the database
  auto r = c.Post("/api/feedback", like, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_NE(r->body.find("not saved"), std::string::npos) << r->body;
  std::vector<uchar> jpg;
  cv::imencode(".jpg", cv::Mat(240, 320, CV_8UC3, cv::Scalar(80, 80, 80)), jpg);
  r = c.Post("/api/frames", std::string(jpg.begin(), jpg.end()), "image/jpeg");
  EXPECT_EQ(r->status, 200);  // frames never need the database
  blocker.exec("ROLLBACK");

  r = c.Post("/api/feedback", like, "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  Catalog cat(db, true);
  auto h = cat.history("lee", 10);
  ASSERT_EQ(h.size(), 1u);  // the refused like was not half-written; the acknowledged one is there
  EXPECT_EQ(h[0].action, "like");
  EXPECT_NE(c.Get("/metrics")->body.find("kind=\"db\""), std::string::npos);
}

TEST(Faults, AServerVideoSourceThatDisappearsIsReportedAndRecovers) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("fault-source");
  auto clip = dir / "clip.avi", stash = dir / "clip.stash";
  auto r = test::run_moodtune("data demo-video --fer " + test::fer_dir() + " --out " + clip.string() +
                              " --emotions happy --seconds 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::ServerProcess s(dir, {"--db", (dir / "x.db").string(), "--source", clip.string()});
  ASSERT_TRUE(s.running()) << s.stderr_text();
  httplib::Client c("127.0.0.1", s.port());
  auto status = [&] { return json::parse(c.Get("/api/source")->body)["status"].get<std::string>(); };
  auto wait_for = [&](const std::string& prefix) {
    for (int i = 0; i < 100; ++i) {
      if (status().rfind(prefix, 0) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  EXPECT_TRUE(wait_for("playing"));
  fs::rename(clip, stash);  // the file goes away mid-stream
  EXPECT_TRUE(wait_for("unavailable: " + clip.string() + ": no such video file")) << status();
  EXPECT_EQ(c.Get("/api/health")->status, 200);  // the server keeps serving
  fs::rename(stash, clip);                       // ...and comes back
  EXPECT_TRUE(wait_for("playing")) << status();
  EXPECT_EQ(s.stop(), 0);
}

}  // namespace
}  // namespace moodtune
