// catalog / recommend / feedback through the real binary.
#include <nlohmann/json.hpp>

#include "../store_backends.h"
#include "music/catalog.h"

using namespace moodtune;
namespace fs = std::filesystem;

namespace {
std::string moods_csv() { return std::string(MOODTUNE_SOURCE_DIR) + "/../shared/data/catalog/data_moods.csv"; }

// Rows of history whose listener or track is missing: must be none.
int64_t dangling_history(Catalog& cat) {
  auto db = open_database(cat.name(), true);
  auto st = db->prepare(
      "SELECT count(*) FROM history h LEFT JOIN tracks t ON t.id = h.track_id LEFT JOIN listeners l ON "
      "l.id = h.listener_id WHERE t.id IS NULL OR l.id IS NULL");
  st.step();
  return st.int64(0);
}
}  // namespace

class MusicCli : public test::StoreTest {};
MOODTUNE_ON_BOTH_STORES(MusicCli);

TEST_P(MusicCli, ImportRecommendFeedbackAndErrors) {
  auto dir = test::temp_dir("music-cli-" + GetParam());
  const std::string db = " --db " + location("music_cli");
  auto r = test::run_moodtune("recommend --emotion happy" + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(postgres() ? "the catalog has no tracks" : "no catalog yet"), std::string::npos) << r.err;

  r = test::run_moodtune("catalog import " + moods_csv() + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("686 new tracks"), std::string::npos) << r.out;
  r = test::run_moodtune("catalog import " + moods_csv() + db);
  EXPECT_NE(r.out.find("0 new tracks, 0 updated, 686 unchanged"), std::string::npos) << r.out;

  r = test::run_moodtune("recommend --probs '{\"sad\":0.7,\"neutral\":0.3}' --strategy uplift -n 5 --json --user ana" +
                         db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["tracks"].size(), 5u);
  EXPECT_NE(j["tracks"][0]["reason"].get<std::string>().find("step 1 of 5"), std::string::npos);
  EXPECT_EQ(j["tracks"][0]["url"].get<std::string>().rfind("https://open.spotify.com/track/", 0), 0u);
  const int64_t first = j["tracks"][0]["id"];

  r = test::run_moodtune("feedback --user ana --track " + std::to_string(first) + " --like" + db);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = test::run_moodtune("feedback --user ana --track 999999 --skip" + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown track id 999999"), std::string::npos) << r.err;
  r = test::run_moodtune("recommend --emotion bored" + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown emotion 'bored'"), std::string::npos);
  r = test::run_moodtune("recommend --emotion sad --strategy loud" + db);
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_moodtune("recommend --probs '{oops'" + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos);

  r = test::run_moodtune("catalog stats" + db);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("tracks 686"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("history entries 1"), std::string::npos) << r.out;

  // catalog list: every track with its place in the mood plane and label;
  // a correction shows as such.
  r = test::run_moodtune("catalog mood --track " + std::to_string(first) + " --valence 0.5 --arousal -0.25" + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_moodtune("catalog list --json" + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 686u);
  int corrected = 0;
  for (const auto& t : list) {
    ASSERT_TRUE(t["valence"].is_number() && t["arousal"].is_number()) << t;
    EXPECT_GE(t["valence"].get<double>(), -1.0);
    EXPECT_LE(t["arousal"].get<double>(), 1.0);
    EXPECT_TRUE(t.contains("mood_label") && t.contains("title") && t.contains("artist") && t["source"] == "spotify");
    if (t["id"] == first) {
      EXPECT_EQ(t["mood_from"], "correction");
      EXPECT_DOUBLE_EQ(t["valence"].get<double>(), 0.5);
      EXPECT_DOUBLE_EQ(t["arousal"].get<double>(), -0.25);
      ++corrected;
    }
  }
  EXPECT_EQ(corrected, 1);
  r = test::run_moodtune("catalog list" + db);
  EXPECT_NE(r.out.find("686 tracks"), std::string::npos) << r.out.substr(r.out.size() - 200);
  EXPECT_NE(r.out.find("+0.50  -0.25 *"), std::string::npos);

  // Playlists for other players: a list for an emotion, and what ana played.
  r = test::run_moodtune("playlist export --emotion sad -n 5 --format xspf" + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<playlist version=\"1\""), std::string::npos);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n') > 5, true);
  size_t tracks = 0;
  for (size_t pos = 0; (pos = r.out.find("<track>", pos)) != std::string::npos; ++pos) ++tracks;
  EXPECT_EQ(tracks, 5u);
  const std::string m3u = (dir / "played.m3u8").string();
  r = test::run_moodtune("playlist export --played --user ana --out " + m3u + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string played = test::slurp(m3u);
  EXPECT_EQ(played.rfind("#EXTM3U", 0), 0u);
  EXPECT_NE(played.find("https://open.spotify.com/track/"), std::string::npos) << played;
  r = test::run_moodtune("playlist export --played --user nobody" + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no tracks"), std::string::npos) << r.err;
  r = test::run_moodtune("playlist export --emotion sad --format pls" + db);
  EXPECT_EQ(r.exit_code, 2);

  // Bad rows are reported with line numbers and the exit code says so.
  std::ofstream(dir / "bad.csv")
      << "track_id,track_name,track_artist,valence,energy\nX1,Song,Artist,0.5,0.5\nX2,,Artist,0.5,0.5\n";
  r = test::run_moodtune("catalog import " + (dir / "bad.csv").string() + db);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.csv:3: missing track name"), std::string::npos) << r.err;

  // A file that is not a database.
  std::ofstream(dir / "junk.db") << std::string(5000, 'j');
  r = test::run_moodtune("recommend --emotion sad --db " + (dir / "junk.db").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a usable SQLite database"), std::string::npos) << r.err;
}

TEST_P(MusicCli, AcknowledgedFeedbackSurvivesSigkill) {
  const std::string path = location("music_kill");
  ASSERT_EQ(test::run_moodtune("catalog import " + moods_csv() + " --db " + path).exit_code, 0);
  // The feedback command prints its acknowledgement only after COMMIT; kill
  // it the moment the line appears and the like must be in the database.
  std::string cmd = std::string(MOODTUNE_BINARY) + " feedback --user kim --track 7 --like --db " + path +
                    " | (read line; echo \"$line\"; pkill -9 -f 'feedback --user kim' || true)";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[256] = {0};
  ASSERT_NE(fgets(buf, sizeof buf, p), nullptr);
  pclose(p);
  EXPECT_NE(std::string(buf).find("recorded"), std::string::npos);
  Catalog cat(path);
  EXPECT_EQ(cat.recent_tracks("kim", 5), std::vector<int64_t>{7});
}

TEST_P(MusicCli, ConcurrentWritersDoNotCorruptTheCatalog) {
  const std::string path = location("music_concurrent");
  ASSERT_EQ(test::run_moodtune("catalog import " + moods_csv() + " --db " + path).exit_code, 0);
  // 4 processes x 6 likes at once, plus a re-import (each like is a process
  // start, about a second of libtorch's start-up under the sanitizers).
  std::string cmd = "(";
  for (int w = 0; w < 4; ++w) {
    cmd += "(for i in $(seq 1 6); do " + std::string(MOODTUNE_BINARY) + " feedback --user u" + std::to_string(w) +
           " --track $i --like --db " + path + " >/dev/null || echo FAIL; done) & ";
  }
  cmd += std::string(MOODTUNE_BINARY) + " catalog import " + moods_csv() + " --db " + path +
         " >/dev/null || echo FAIL; wait)";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  Catalog cat(path);
  EXPECT_EQ(cat.stats().history, 24);
  EXPECT_EQ(dangling_history(cat), 0);
  if (!postgres()) {
    auto db = open_database(cat.name(), true);
    auto ok = db->prepare("PRAGMA integrity_check");
    ok.step();
    EXPECT_EQ(ok.text(0), "ok");
  }
}
