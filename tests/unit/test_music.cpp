#include <gtest/gtest.h>

#include <fstream>

#include "../test_support.h"
#include "music/csv_import.h"
#include "music/recommender.h"

using namespace moodtune;

namespace {
Track make_track(const std::string& id, const std::string& artist, const std::string& title, double v, double e,
                 std::vector<std::string> genres = {"pop"}) {
  Track t;
  t.source = "spotify";
  t.external_id = id;
  t.artist = artist;
  t.title = title;
  t.valence = v;
  t.energy = e;
  t.genres = std::move(genres);
  return t;
}
}  // namespace

TEST(Mood, EmotionCoordinatesAndWeightedMean) {
  EXPECT_DOUBLE_EQ(emotion_va("happy")->valence, 0.83);
  EXPECT_DOUBLE_EQ(emotion_va("sad")->arousal, -0.27);
  EXPECT_FALSE(emotion_va("bored"));
  std::vector<std::string> cls = {"happy", "sad"};
  VA m = mood_from_probs({0.5f, 0.5f}, cls);
  EXPECT_NEAR(m.valence, (0.83 - 0.65) / 2, 1e-6);
  EXPECT_NEAR(m.arousal, (0.53 - 0.27) / 2, 1e-6);
  EXPECT_THROW(mood_from_probs({0.f, 0.f}, cls), std::invalid_argument);
  EXPECT_THROW(mood_from_probs({1.f}, cls), std::invalid_argument);
}

TEST(Mood, SpotifyFeaturesMapToTheSamePlaneAndOverridesWin) {
  Track t = make_track("x", "a", "b", 1.0, 0.25);
  EXPECT_DOUBLE_EQ(track_va(t)->valence, 1.0);
  EXPECT_DOUBLE_EQ(track_va(t)->arousal, -0.5);
  t.valence_override = -0.3;
  t.arousal_override = 0.2;
  EXPECT_DOUBLE_EQ(track_va(t)->valence, -0.3);
  Track none;
  EXPECT_FALSE(track_va(none));
}

TEST(Catalog, MigratesUpsertsAndMergesGenres) {
  auto dir = test::temp_dir("catalog-basic");
  Catalog cat((dir / "c.db").string());
  auto a = cat.upsert_track(make_track("id1", "Artist", "Song", 0.5, 0.5, {"pop"}));
  EXPECT_TRUE(a.inserted);
  auto b = cat.upsert_track(make_track("id1", "Artist", "Song", 0.5, 0.5, {"pop"}));
  EXPECT_FALSE(b.changed);
  auto c = cat.upsert_track(make_track("id1", "Artist", "Song", 0.5, 0.5, {"dance pop"}));
  EXPECT_TRUE(c.changed);
  EXPECT_EQ(a.id, c.id);
  EXPECT_EQ(cat.find_track(a.id)->genres, (std::vector<std::string>{"dance pop", "pop"}));
  auto v = cat.db().prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), Catalog::kSchemaVersion);
  auto fk = cat.db().prepare("PRAGMA foreign_keys");
  fk.step();
  EXPECT_EQ(fk.int64(0), 1);
}

TEST(Catalog, FeedbackPersistsAndUnknownTracksAreRefused) {
  auto dir = test::temp_dir("catalog-feedback");
  const std::string path = (dir / "c.db").string();
  int64_t id;
  {
    Catalog cat(path);
    id = cat.upsert_track(make_track("id1", "Artist", "Song", 0.5, 0.5, {"rock"})).id;
    cat.record_feedback("ana", id, FeedbackAction::kSkip);
    cat.record_feedback("ana", id, FeedbackAction::kSkip);
    EXPECT_THROW(cat.record_feedback("ana", 999, FeedbackAction::kLike), DbError);
  }
  Catalog again(path);
  EXPECT_DOUBLE_EQ(again.preferences("ana", "genre")["rock"], -2.0);
  EXPECT_DOUBLE_EQ(again.preferences("ana", "artist")["Artist"], -2.0);
  EXPECT_EQ(again.recent_tracks("ana", 10).size(), 2u);
  EXPECT_TRUE(again.preferences("bob", "genre").empty());
  EXPECT_THROW(again.set_track_mood(id, 3.0, 0.0), DbError);
  again.set_track_mood(id, -0.5, 0.1);
  EXPECT_DOUBLE_EQ(track_va(*again.find_track(id))->valence, -0.5);
}

TEST(Catalog, NotADatabaseFailsClearly) {
  auto dir = test::temp_dir("catalog-corrupt");
  std::ofstream(dir / "bad.db") << std::string(4096, 'x');
  try {
    Catalog cat((dir / "bad.db").string());
    FAIL();
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("not a usable SQLite database"), std::string::npos) << e.what();
  }
}

TEST(CsvImport, QuotesEmbeddedNewlinesUtf8AndBadRows) {
  auto dir = test::temp_dir("csv-import");
  std::ofstream(dir / "list.csv")
      << "\"Track URI\",\"Track Name\",\"Artist Name(s)\",\"Album Name\",\"Genres\",\"Valence\",\"Energy\"\n"
      << "\"spotify:track:AAA\",\"Hello, World\",\"Zoë Ø\",\"Line one\nline two\",\"pop,indie pop\",\"0.9\",\"0.8\"\n"
      << "\"spotify:track:BBB\",\"Bad valence\",\"X\",\"\",\"\",\"1.7\",\"0.1\"\n"
      << "\"spotify:track:CCC\",\"\",\"Y\",\"\",\"\",\"0.5\",\"0.5\"\n"
      << "\"spotify:track:DDD\",\"Too few\"\n"
      << "\"spotify:track:EEE\",\"Fine\",\"Z\",\"\",\"\",\"0.2\",\"abc\"\n";
  Catalog cat((dir / "c.db").string());
  ImportReport r = import_csv(cat, (dir / "list.csv").string());
  EXPECT_EQ(r.format, "exportify");
  EXPECT_EQ(r.rows, 5);
  EXPECT_EQ(r.inserted, 1);
  ASSERT_EQ(r.problems.size(), 4u);
  EXPECT_NE(r.problems[0].find("list.csv:4: valence 1.7 is outside"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[1].find("list.csv:5: missing track name"), std::string::npos) << r.problems[1];
  EXPECT_NE(r.problems[2].find("list.csv:6: expected 7 fields, found 2"), std::string::npos) << r.problems[2];
  EXPECT_NE(r.problems[3].find("list.csv:7: energy 'abc' is not a number"), std::string::npos) << r.problems[3];
  auto t = cat.find_track("spotify", "AAA");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->title, "Hello, World");
  EXPECT_EQ(t->artist, "Zoë Ø");
  EXPECT_EQ(t->album, "Line one\nline two");
  EXPECT_EQ(t->genres, (std::vector<std::string>{"indie pop", "pop"}));
  // Importing the same file again changes nothing.
  ImportReport again = import_csv(cat, (dir / "list.csv").string());
  EXPECT_EQ(again.inserted + again.updated, 0);
  EXPECT_EQ(again.unchanged, 1);
  EXPECT_EQ(cat.stats().imports.size(), 1u);
  // A header that matches nothing is refused before any write.
  std::ofstream(dir / "other.csv") << "a,b,c\n1,2,3\n";
  EXPECT_THROW(import_csv(cat, (dir / "other.csv").string()), std::runtime_error);
  EXPECT_THROW(import_csv(cat, (dir / "missing.csv").string()), std::runtime_error);
}

TEST(Recommender, MatchUpliftCalmAndVarietyRules) {
  auto dir = test::temp_dir("recommender");
  Catalog cat((dir / "c.db").string());
  int k = 0;
  // A grid of tracks over the plane, 3 per artist.
  for (int vi = 0; vi <= 10; ++vi)
    for (int ei = 0; ei <= 10; ++ei, ++k)
      cat.upsert_track(make_track("t" + std::to_string(k), "artist" + std::to_string(k / 3), "song " + std::to_string(k), vi / 10.0, ei / 10.0));
  // Three versions of one sad song by one artist.
  cat.upsert_track(make_track("r1", "Sadman", "Tears", 0.17, 0.36));
  cat.upsert_track(make_track("r2", "Sadman", "Tears - Club Remix", 0.17, 0.37));
  cat.upsert_track(make_track("r3", "Sadman", "Tears (feat. Someone)", 0.18, 0.36));
  Recommender rec(cat);
  RecommendParams rp;
  rp.n = 10;
  auto sad = rec.recommend(*emotion_va("sad"), rp);
  ASSERT_EQ(sad.size(), 10u);
  int tears = 0;
  std::map<std::string, int> artists;
  for (const auto& r : sad) {
    EXPECT_LT(r.va.valence, -0.2) << r.track.title;
    tears += r.track.artist == "Sadman";
    artists[r.track.artist]++;
    EXPECT_NE(r.reason.find("sad"), std::string::npos);
  }
  EXPECT_EQ(tears, 1);  // remixes collapse to one version of the song
  for (const auto& [a, n] : artists) EXPECT_LE(n, 2) << a;
  rp.strategy = Strategy::kUplift;
  auto up = rec.recommend(*emotion_va("sad"), rp);
  ASSERT_EQ(up.size(), 10u);
  EXPECT_LT(up.front().va.valence, -0.3);
  EXPECT_GT(up.back().va.valence, 0.4);
  for (size_t i = 1; i < up.size(); ++i) EXPECT_GE(up[i].target.valence, up[i - 1].target.valence);
  rp.strategy = Strategy::kCalm;
  for (const auto& r : rec.recommend(*emotion_va("angry"), rp)) {
    EXPECT_GT(r.va.valence, 0.1);
    EXPECT_LT(r.va.arousal, 0.0);
  }
}

TEST(Recommender, RecentTracksAreNotRepeatedAndSkipsPushAway) {
  auto dir = test::temp_dir("recommender-feedback");
  Catalog cat((dir / "c.db").string());
  for (int i = 0; i < 40; ++i)
    cat.upsert_track(make_track("t" + std::to_string(i), "a" + std::to_string(i), "s" + std::to_string(i), 0.9 - i * 0.001, 0.8,
                                {i % 2 ? "rock" : "pop"}));
  Recommender rec(cat);
  RecommendParams rp;
  rp.listener = "ana";
  rp.n = 5;
  auto first = rec.recommend(*emotion_va("happy"), rp);
  cat.record_feedback("ana", first[0].track.id, FeedbackAction::kPlayed);
  auto second = rec.recommend(*emotion_va("happy"), rp);
  for (const auto& r : second) EXPECT_NE(r.track.id, first[0].track.id);
  for (int i = 0; i < 5; ++i)
    for (const auto& r : rec.recommend(*emotion_va("happy"), rp))
      if (r.track.genres[0] == "rock") cat.record_feedback("ana", r.track.id, FeedbackAction::kSkip);
  int rock = 0;
  for (const auto& r : rec.recommend(*emotion_va("happy"), rp)) rock += r.track.genres[0] == "rock";
  EXPECT_EQ(rock, 0);
  RecommendParams bob = rp;
  bob.listener = "bob";
  int bob_rock = 0;
  for (const auto& r : rec.recommend(*emotion_va("happy"), bob)) bob_rock += r.track.genres[0] == "rock";
  EXPECT_GE(bob_rock, 2);
  EXPECT_THROW(Recommender(*std::make_unique<Catalog>((dir / "empty.db").string())).recommend({0, 0}, rp), std::runtime_error);
}
