// `moodtune-dev all` end to end on a small budget: every benchmark runs in
// its own process and the summary table has a row for each.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../test_support.h"

namespace moodtune {
namespace {

TEST(BenchAll, RunsEveryBenchmarkAndWritesOneJsonAndOneTable) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("bench-all");
  auto r = test::run_binary(MOODTUNE_DEV_BINARY,
                            "all --out " + dir.string() +
                                " --reps 10 --batches 2 --serve-seconds 3 --tta-per-class 4 --fer " + test::fer_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(test::slurp(dir / "all.json"));
  for (const char* k : {"pipeline", "train", "music", "serve", "library", "pipeline_reference_blas", "tta"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["tta"]["on"]["n"], 28);
  EXPECT_TRUE(j["music"].contains("postgresql"));
  EXPECT_GT(j["pipeline"]["haar"]["video"]["median_ms"].get<double>(), 0);
  EXPECT_GT(j["pipeline"]["haar"]["fine"]["median_ms"].get<double>(), 0);
  EXPECT_EQ(j["pipeline"]["haar"]["no_face"]["faces_per_frame"], 0);
  EXPECT_EQ(j["pipeline"]["haar"]["faces_per_frame"], 1);
  EXPECT_EQ(j["serve"]["load"]["errors"], 0);
  // The float model (on oneDNN), the shipped int8 model, then the float model on libtorch's own layers.
  ASSERT_EQ(j["pipeline"]["classify_compared"].size(), 3u);
  EXPECT_EQ(j["pipeline"]["classify_compared"][0]["engine"], "onednn");
  EXPECT_EQ(j["pipeline"]["classify_compared"][1]["precision"], "int8");
  EXPECT_EQ(j["pipeline"]["classify_compared"][2]["engine"], "libtorch");
  std::string md = test::slurp(dir / "all.md");
  for (const char* row : {"pipeline haar, video", "pipeline haar, single frame, fine scan only", "frame without a face",
                          "training resnet-compact", "import spotify_songs.csv", "frame round trip", "library analysis",
                          "reference BLAS", "accuracy with TTA", "classification alone, int8 model",
                          "float model on libtorch's layers (reference)", "import spotify_songs.csv, PostgreSQL"})
    EXPECT_NE(md.find(row), std::string::npos) << row;
}

}  // namespace
}  // namespace moodtune
