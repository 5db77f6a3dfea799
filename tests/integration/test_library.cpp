// `moodtune library scan` on real music (Debian's wesnoth-1.16-music, which
// the set-up installs as the default library) and on broken files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../store_backends.h"
#include "kit/sample_music.h"
#include "music/catalog.h"
#include "music/mood.h"
#include "storage/database.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;


double valence_of(Catalog& cat, const std::string& path) {
  auto t = cat.find_track("local", path);
  EXPECT_TRUE(t.has_value()) << path;
  return t ? track_va(*t)->valence : 0;
}

class Library : public test::StoreTest {};
MOODTUNE_ON_BOTH_STORES(Library);

TEST_P(Library, ScansTheDefaultCollectionOrdersItAndSkipsUnchangedFiles) {
  ASSERT_TRUE(fs::is_directory(kit::kWesnothMusic)) << "install wesnoth-1.16-music (scripts/setup.sh)";
  auto db = location("library_wesnoth");
  auto r = test::run_moodtune("library scan " + std::string(kit::kWesnothMusic) + " --db " + db + " --json -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["found"], 41);
  EXPECT_EQ(j["analysed"], 41);
  EXPECT_EQ(j["failed"], 0);
  EXPECT_GT(j["realtime_factor_per_core"].get<double>(), 20.0);

  Catalog cat(db);
  const std::string m = std::string(kit::kWesnothMusic) + "/";
  double victory = valence_of(cat, m + "victory.ogg");
  EXPECT_LT(valence_of(cat, m + "sad.ogg"), victory);
  EXPECT_LT(valence_of(cat, m + "defeat.ogg"), victory);
  EXPECT_LT(valence_of(cat, m + "defeat2.ogg"), victory);
  auto sad = cat.find_track("local", m + "sad.ogg");
  ASSERT_TRUE(sad);
  EXPECT_EQ(sad->title, "Sad");
  EXPECT_GT(sad->duration_ms, 40000);
  EXPECT_TRUE(sad->loudness.has_value());

  // Unchanged files are skipped on a rescan.
  r = test::run_moodtune("library scan " + std::string(kit::kWesnothMusic) + " --db " + db + " --json -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["analysed"], 0);
  EXPECT_EQ(j["unchanged"], 41);

  r = test::run_moodtune("library list --db " + db + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).size(), 41u);
}

// A listener's correction wins over the estimate, also after a forced
// rescan. On a two-file copy: re-analysing the whole collection would say
// nothing more and doubled the test's time.
TEST_P(Library, ACorrectionSurvivesAForcedRescan) {
  ASSERT_TRUE(fs::is_directory(kit::kWesnothMusic));
  auto music = test::temp_dir("library-force-" + GetParam()) / "music";
  fs::create_directories(music);
  for (const char* f : {"sad.ogg", "victory.ogg"}) fs::copy_file(std::string(kit::kWesnothMusic) + "/" + f, music / f);
  auto db = location("library_force");
  auto r = test::run_moodtune("library scan " + music.string() + " --db " + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Catalog cat(db);
  auto sad = cat.find_track("local", (music / "sad.ogg").string());
  ASSERT_TRUE(sad);
  cat.set_track_mood(sad->id, 0.9, 0.1);
  r = test::run_moodtune("library scan " + music.string() + " --db " + db + " --force --json -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["analysed"], 2);  // really re-analysed
  auto again = cat.find_track(sad->id);
  EXPECT_DOUBLE_EQ(track_va(*again)->valence, 0.9);
  EXPECT_DOUBLE_EQ(track_va(*again)->arousal, 0.1);
}

TEST(LibraryErrors, CorruptFilesAreReportedAndTheRestIsScanned) {
  ASSERT_TRUE(fs::is_directory(kit::kWesnothMusic));
  auto dir = test::temp_dir("library-bad");
  auto music = dir / "music";
  fs::create_directories(music / "sub");
  fs::copy_file(std::string(kit::kWesnothMusic) + "/victory.ogg", music / "sub" / "good.ogg");
  std::ofstream(music / "garbage.mp3") << "not an mp3, just text";
  {  // a truncated ogg: the first 4 KB of a real file
    std::string bytes = test::slurp(std::string(kit::kWesnothMusic) + "/sad.ogg").substr(0, 4096);
    std::ofstream(music / "truncated.ogg", std::ios::binary) << bytes;
  }
  std::ofstream(music / "notes.txt") << "ignored: not audio";
  auto db = (dir / "lib.db").string();
  auto r = test::run_moodtune("library scan " + music.string() + " --db " + db + " --json -");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // something failed, the rest was done
  json j = json::parse(r.out);
  EXPECT_EQ(j["found"], 3);
  EXPECT_GE(j["analysed"].get<int>(), 1);
  EXPECT_GE(j["failed"].get<int>(), 1);
  EXPECT_NE(r.err.find("garbage.mp3"), std::string::npos) << r.err;
  Catalog cat(db);
  EXPECT_TRUE(cat.find_track("local", (music / "sub" / "good.ogg").string()));

  r = test::run_moodtune("library scan " + (dir / "nope").string() + " --db " + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a folder"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace moodtune

namespace moodtune {
namespace {

// A catalog scanned before schema v3 knows no library folders: the
// migration takes each scanned file's own folder, so its files stay
// playable without a rescan (and nothing else becomes playable).
TEST(LibraryRootsMigration, AVersion2CatalogGetsItsScannedFilesFolders) {
  auto dir = test::temp_dir("roots-migration");
  const std::string db_path = (dir / "v2.db").string();
  {
    auto db = open_database(db_path);
    for (int v = 1; v <= 2; ++v)
      db->exec(test::slurp(fs::path(MOODTUNE_SOURCE_DIR) / "src/music/schema" / ("v" + std::to_string(v) + ".sqlite.sql")));
    db->set_schema_version(2);
    db->exec("INSERT INTO tracks (id, source, external_id, title, artist) VALUES (1, 'local', '/music/a/x.ogg', 'x', ''), "
             "(2, 'local', '/music/b/c/y.ogg', 'y', '')");
    db->exec("INSERT INTO library_files (path, size, mtime_ns, analysis_version, track_id) VALUES "
             "('/music/a/x.ogg', 1, 1, 1, 1), ('/music/b/c/y.ogg', 1, 1, 1, 2)");
  }
  Catalog cat(db_path);
  EXPECT_EQ(cat.schema_version(), Catalog::kSchemaVersion);
  EXPECT_EQ(cat.library_roots(), (std::vector<std::string>{"/music/a", "/music/b/c"}));
}

}  // namespace
}  // namespace moodtune
