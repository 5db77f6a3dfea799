// Mood history: kept only with the listener's consent, as day summaries
// and moods on feedback; shown by `moodtune history` and GET /api/history;
// deleted with one command or one request. On both stores.
#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "../store_backends.h"
#include "music/catalog.h"
#include "server_process.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::vector<float> one_hot(const std::string& emotion) {
  std::vector<float> p(kNumEmotions, 0.0f);
  p[static_cast<size_t>(emotion_index(emotion))] = 1.0f;
  return p;
}

// The moods stored on a listener's feedback, oldest first.
std::vector<std::string> feedback_moods(const std::string& location, const std::string& listener) {
  auto db = open_database(location, true);
  auto st = db->prepare(
      "SELECT h.mood FROM history h JOIN listeners l ON l.id = h.listener_id WHERE l.name = $1 ORDER BY h.id");
  st.bind(1, listener);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

class MoodHistory : public test::StoreTest {};
MOODTUNE_ON_BOTH_STORES(MoodHistory);

TEST_P(MoodHistory, KeptOnlyWithConsentAndForgottenWithOneCommand) {
  const std::string where = location("mood_history");
  Catalog cat(where);
  Track t;
  t.source = "spotify";
  t.title = "Song";
  t.artist = "Band";
  t.valence = 0.8;
  t.energy = 0.6;
  int64_t ids[3];
  for (int i = 0; i < 3; ++i) {
    t.external_id = "id" + std::to_string(i);
    ids[i] = cat.upsert_track(t).id;
  }
  const std::string today = local_day(std::time(nullptr));

  // No consent: no sample, no mood on feedback (and none for an unknown listener).
  EXPECT_FALSE(cat.mood_history_consent("ana"));
  EXPECT_FALSE(cat.add_mood_sample("ana", today, one_hot("sad"), -0.6, -0.3));
  cat.record_feedback("ana", ids[0], FeedbackAction::kLike, "web", "sad");
  EXPECT_FALSE(cat.mood_history_consent("ana"));
  EXPECT_TRUE(cat.mood_days("ana", days_ago(30)).empty());
  EXPECT_EQ(feedback_moods(where, "ana"), std::vector<std::string>{""});

  // With consent: a day is the mean of its samples.
  cat.set_mood_history_consent("ana", true);
  EXPECT_TRUE(cat.mood_history_consent("ana"));
  EXPECT_TRUE(cat.add_mood_sample("ana", today, one_hot("sad"), -0.6, -0.2));
  EXPECT_TRUE(cat.add_mood_sample("ana", today, {0, 0, 0, 2, 0, 2, 0}, 0.2, 0.4));  // normalised to 0.5 / 0.5
  EXPECT_TRUE(cat.add_mood_sample("ana", days_ago(1), one_hot("happy"), 0.8, 0.5));
  EXPECT_THROW(cat.add_mood_sample("ana", today, {1, 2}, 0, 0), DbError);
  EXPECT_THROW(cat.add_mood_sample("ana", today, std::vector<float>(kNumEmotions, 0.0f), 0, 0), DbError);
  auto days = cat.mood_days("ana", days_ago(13));
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].day, days_ago(1));
  EXPECT_EQ(emotion_name(days[0].top()), "happy");
  EXPECT_EQ(days[1].day, today);
  EXPECT_EQ(days[1].samples, 2);
  EXPECT_NEAR(days[1].share[static_cast<size_t>(emotion_index("sad"))], 0.75, 1e-9);
  EXPECT_NEAR(days[1].share[static_cast<size_t>(emotion_index("happy"))], 0.25, 1e-9);
  EXPECT_NEAR(days[1].valence, -0.2, 1e-9);
  EXPECT_NEAR(days[1].arousal, 0.1, 1e-9);
  EXPECT_EQ(cat.mood_days("ana", today).size(), 1u);

  // Feedback remembers the mood: per mood, most liked first.
  cat.record_feedback("ana", ids[1], FeedbackAction::kLike, "web", "sad");
  cat.record_feedback("ana", ids[1], FeedbackAction::kLike, "web", "sad");
  cat.record_feedback("ana", ids[2], FeedbackAction::kSkip, "web", "sad");
  cat.record_feedback("ana", ids[2], FeedbackAction::kLike, "web", "happy");
  cat.record_feedback("ana", ids[0], FeedbackAction::kPlayed, "web", "happy");  // plays are not "liked in"
  auto fb = cat.feedback_by_mood("ana", 5);
  ASSERT_EQ(fb.size(), 3u);
  EXPECT_EQ(fb[0].mood, "happy");
  EXPECT_EQ(fb[0].track.id, ids[2]);
  EXPECT_EQ(fb[1].mood, "sad");
  EXPECT_EQ(fb[1].track.id, ids[1]);
  EXPECT_EQ(fb[1].likes, 2);
  EXPECT_EQ(fb[1].track.title, "Song");
  EXPECT_EQ(fb[2].track.id, ids[2]);
  EXPECT_EQ(fb[2].skips, 1);
  EXPECT_EQ(cat.feedback_by_mood("ana", 1).size(), 2u);

  // Withdrawn: nothing new is kept, what was kept stays until deleted.
  cat.set_mood_history_consent("ana", false);
  EXPECT_FALSE(cat.add_mood_sample("ana", today, one_hot("angry"), -0.5, 0.7));
  cat.record_feedback("ana", ids[0], FeedbackAction::kLike, "web", "angry");
  EXPECT_EQ(cat.mood_days("ana", days_ago(13)).size(), 2u);
  EXPECT_EQ(feedback_moods(where, "ana").back(), "");

  // Another listener's history is theirs alone.
  cat.set_mood_history_consent("bo", true);
  EXPECT_TRUE(cat.add_mood_sample("bo", today, one_hot("fear"), -0.6, 0.6));
  cat.record_feedback("bo", ids[0], FeedbackAction::kLike, "web", "fear");

  // The CLI shows it and deletes all of it with one command.
  const std::string db = " --db " + where;
  auto r = test::run_moodtune("history --user ana --json" + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["user"], "ana");
  EXPECT_EQ(j["keep"], false);
  ASSERT_EQ(j["days"].size(), 2u);
  EXPECT_EQ(j["days"][1]["emotion"], "sad");
  EXPECT_EQ(j["days"][1]["samples"], 2);
  EXPECT_DOUBLE_EQ(j["days"][1]["shares"]["sad"].get<double>(), 0.75);
  EXPECT_EQ(j["by_mood"]["sad"][0]["id"], ids[1]);
  EXPECT_EQ(j["by_mood"]["sad"][0]["likes"], 2);
  r = test::run_moodtune("history --user ana --days 1" + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("not kept"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(today + "  sad"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(days_ago(1)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("when you were sad:"), std::string::npos) << r.out;
  r = test::run_moodtune("history --user ana --delete" + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 days of mood, 7 likes, skips and plays"), std::string::npos) << r.out;
  EXPECT_TRUE(cat.mood_days("ana", days_ago(13)).empty());
  EXPECT_TRUE(cat.history("ana", 100).empty());
  EXPECT_TRUE(cat.listener_profile("ana", 10).tracks.empty());
  EXPECT_EQ(cat.mood_days("bo", days_ago(13)).size(), 1u);
  EXPECT_EQ(cat.feedback_by_mood("bo", 5).size(), 1u);
  r = test::run_moodtune("history --user ana --consent on" + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(cat.mood_history_consent("ana"));

  // Bad input: a clear message, exit 2 (usage) and nothing changed.
  r = test::run_moodtune("history --user 'a b'" + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--user must be"), std::string::npos) << r.err;
  r = test::run_moodtune("history --consent maybe" + db);
  EXPECT_NE(r.exit_code, 0);
  r = test::run_moodtune("history --consent off --delete" + db);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(cat.mood_history_consent("ana"));
  r = test::run_moodtune("feedback --user ana --track " + std::to_string(ids[0]) + " --like --mood bored" + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown emotion 'bored'"), std::string::npos) << r.err;
}

// Several server instances adding samples for one listener's day at once
// (one hot row): every sample counts, with no serialisation conflicts to
// retry (the upsert commutes and runs read-committed on PostgreSQL).
TEST_P(MoodHistory, ConcurrentSamplesOfOneDayAddUp) {
  const std::string where = location("mood_concurrent");
  const std::string today = local_day(std::time(nullptr));
  Catalog(where).set_mood_history_consent("ana", true);
  constexpr int kThreads = 6, kEach = 20;
  const int64_t retries_before = transient_retries();
  std::atomic<int> kept{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Catalog cat(where);  // one connection each, as separate instances have
      for (int i = 0; i < kEach; ++i) {
        try {
          kept += cat.add_mood_sample("ana", today, one_hot(t % 2 ? "sad" : "happy"), 0.0, 0.0);
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(transient_retries() - retries_before, 0);
  EXPECT_EQ(kept.load(), kThreads * kEach);
  const auto days = Catalog(where).mood_days("ana", today);
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].samples, kThreads * kEach);
  EXPECT_NEAR(days[0].share[static_cast<size_t>(emotion_index("sad"))], 0.5, 1e-9);
}

// A catalog from before the history existed keeps nothing until asked.
TEST(MoodHistoryMigration, AVersion3CatalogKeepsNothingUntilAsked) {
  auto dir = test::temp_dir("history-migration");
  const std::string db_path = (dir / "v3.db").string();
  {
    auto db = open_database(db_path);
    for (int v = 1; v <= 3; ++v)
      db->exec(test::slurp(fs::path(MOODTUNE_SOURCE_DIR) / "src/music/schema" / ("v" + std::to_string(v) + ".sqlite.sql")));
    db->set_schema_version(3);
    db->exec("INSERT INTO tracks (id, source, external_id, title, artist) VALUES (1, 'spotify', 'x', 'x', 'y')");
    db->exec("INSERT INTO listeners (id, name) VALUES (1, 'ana')");
    db->exec("INSERT INTO history (listener_id, track_id, action) VALUES (1, 1, 'like')");
  }
  Catalog cat(db_path);
  EXPECT_EQ(cat.schema_version(), Catalog::kSchemaVersion);
  EXPECT_FALSE(cat.mood_history_consent("ana"));
  EXPECT_EQ(feedback_moods(db_path, "ana"), std::vector<std::string>{""});
  EXPECT_FALSE(cat.add_mood_sample("ana", local_day(std::time(nullptr)), one_hot("sad"), -0.5, -0.3));
}


// The server: frames become day summaries only after consent, feedback
// notes the session's mood, one request deletes everything.
class MoodHistoryServer : public test::SharedServerSuite<MoodHistoryServer> {
 protected:
  static void SetUpTestSuite() { start("history-server", {}); }
  static json get_json(const std::string& path) {
    auto r = client().Get(path.c_str());
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    return json::parse(r->body);
  }
  // Posts a frame in the given session (empty: a new one); returns its cookie.
  static std::string post_frame(const std::string& cookie, const std::string& emotion) {
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    auto r = client().Post("/api/frames", h, test::face_jpeg(emotion), "image/jpeg");
    EXPECT_TRUE(r && r->status == 200);
    if (!r) return {};
    EXPECT_EQ(json::parse(r->body)["faces"].size(), 1u) << r->body;
    const std::string set = r->get_header_value("Set-Cookie");
    return set.empty() ? cookie : set.substr(0, set.find(';'));
  }
};

TEST_F(MoodHistoryServer, FramesAreKeptAsDaySummariesOnlyWithConsentAndOneRequestDeletesAll) {
  MOODTUNE_REQUIRE_FER();
  json j = get_json("/api/history");
  EXPECT_EQ(j["keep"], false);
  EXPECT_EQ(j["user"], "you");
  EXPECT_TRUE(j["days"].empty());

  // Before consent: a face, a mood, but nothing kept.
  post_frame("", "happy");
  EXPECT_TRUE(get_json("/api/history")["days"].empty());

  auto c = client();
  auto r = c.Post("/api/history/consent", R"({"keep": true})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["keep"], true);
  EXPECT_EQ(get_json("/api/history")["keep"], true);

  // A new session's first face is a sample; more frames within 10 s are not.
  std::string cookie = post_frame("", "happy");
  post_frame(cookie, "happy");
  post_frame(cookie, "happy");
  j = get_json("/api/history?days=1");
  ASSERT_EQ(j["days"].size(), 1u) << j.dump();
  EXPECT_EQ(j["days"][0]["day"], local_day(std::time(nullptr)));
  EXPECT_EQ(j["days"][0]["samples"], 1);
  EXPECT_EQ(j["days"][0]["emotion"], "happy");
  double sum = 0;
  for (const auto& [name, share] : j["days"][0]["shares"].items()) sum += share.get<double>();
  EXPECT_NEAR(sum, 1.0, 0.01);

  // Feedback in that session carries its mood.
  json recs = get_json("/api/recommendations?n=2");
  ASSERT_FALSE(recs["tracks"].empty());
  const int64_t track = recs["tracks"][0]["id"];
  r = c.Post("/api/feedback", {{"Cookie", cookie}}, R"({"track": )" + std::to_string(track) + R"(, "action": "like"})",
             "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  j = get_json("/api/history");
  ASSERT_EQ(j["by_mood"]["happy"].size(), 1u) << j.dump();
  EXPECT_EQ(j["by_mood"]["happy"][0]["id"], track);
  EXPECT_EQ(j["by_mood"]["happy"][0]["likes"], 1);

  // Bad requests get a clear error and change nothing.
  r = c.Post("/api/history/consent", R"({"keep": "yes"})", "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("keep must be true or false"), std::string::npos) << r->body;
  r = c.Post("/api/history/consent", R"({})", "application/json");
  EXPECT_EQ(r->status, 400);
  r = c.Post("/api/history/consent", "keep=false", "application/x-www-form-urlencoded");
  EXPECT_EQ(r->status, 415);
  r = c.Post("/api/history/delete", "{oops", "application/json");
  EXPECT_EQ(r->status, 400);
  for (const char* q : {"/api/history?days=0", "/api/history?days=abc", "/api/history?days=400", "/api/history?user=a%20b"}) {
    r = c.Get(q);
    EXPECT_EQ(r->status, 400) << q;
  }
  EXPECT_EQ(get_json("/api/history")["keep"], true);
  EXPECT_EQ(get_json("/api/history")["days"].size(), 1u);

  // One request deletes the days, the likes and what was learned from them.
  r = c.Post("/api/history/delete", "{}", "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  j = json::parse(r->body);
  EXPECT_EQ(j["deleted"]["days"], 1);
  EXPECT_EQ(j["deleted"]["feedback"], 1);
  EXPECT_GT(j["deleted"]["preferences"].get<int>(), 0);
  j = get_json("/api/history");
  EXPECT_TRUE(j["days"].empty());
  EXPECT_TRUE(j["by_mood"].empty());
  EXPECT_TRUE(get_json("/api/feedback")["feedback"].empty());

  // Withdrawn: a new session's face is not kept.
  r = c.Post("/api/history/consent", R"({"keep": false})", "application/json");
  ASSERT_EQ(r->status, 200);
  post_frame("", "sad");
  EXPECT_TRUE(get_json("/api/history")["days"].empty());
}

}  // namespace
}  // namespace moodtune
