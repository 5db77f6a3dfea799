// Loaders on real FER2013 images: the class-folder tree and the original
// CSV form must agree, and bad input must be reported, not dropped.
#include <opencv2/imgcodecs.hpp>

#include "../test_support.h"
#include "common/emotions.h"
#include "training/dataset.h"

using namespace moodtune;
namespace fs = std::filesystem;

namespace {
// Copies n val images per class into <dir>/<class>/ and writes the same
// images as a FER2013 CSV; returns the CSV path.
std::string make_small_fer(const fs::path& dir, size_t n) {
  std::ofstream csv(dir / "fer.csv");
  csv << "emotion,pixels,Usage\n";
  // CSV label order: 0 angry 1 disgust 2 fear 3 happy 4 sad 5 surprise 6 neutral
  const std::vector<std::string> csv_order = {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"};
  for (size_t lab = 0; lab < csv_order.size(); ++lab) {
    const std::string& cls = csv_order[lab];
    fs::create_directories(dir / "tree" / cls);
    for (const auto& f : test::fer_files("val", cls, n)) {
      fs::copy_file(f, dir / "tree" / cls / fs::path(f).filename());
      cv::Mat img = cv::imread(f, cv::IMREAD_GRAYSCALE);
      csv << lab << ",";
      for (int i = 0; i < img.rows * img.cols; ++i) csv << (i ? " " : "") << static_cast<int>(img.data[i]);
      csv << ",PublicTest\n";
    }
  }
  return (dir / "fer.csv").string();
}
}  // namespace

TEST(DataLoading, CsvAndFolderLoadersAgreeOnTheSameImages) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("csv-vs-folder");
  std::string csv = make_small_fer(dir, 5);
  LoadReport r1, r2;
  FaceDataset tree = load_folder((dir / "tree").string(), default_class_names(), 48, r1);
  FaceDataset table = load_fer_csv(csv, "PublicTest", 48, r2);
  EXPECT_TRUE(r1.problems.empty());
  EXPECT_TRUE(r2.problems.empty());
  ASSERT_EQ(tree.size(), 35);
  ASSERT_EQ(table.size(), 35);
  // Same multiset of (label, pixels): match each tree image in the CSV set.
  auto dups = find_duplicates(tree, table);
  ASSERT_EQ(dups.size(), 35u);
  for (auto [i, j] : dups)
    EXPECT_EQ(tree.labels[static_cast<size_t>(i)], table.labels[static_cast<size_t>(j)])
        << tree.sources[static_cast<size_t>(i)];
}

TEST(DataLoading, MalformedCsvRowsAreReportedWithLineNumbers) {
  auto dir = test::temp_dir("csv-bad");
  std::string px;
  for (int i = 0; i < 48 * 48; ++i) px += (i ? " " : "") + std::to_string(i % 256);
  std::ofstream(dir / "bad.csv") << "emotion,pixels,Usage\n"
                                 << "3," << px << ",Training\n"   // line 2 ok
                                 << "9," << px << ",Training\n"   // line 3 bad label
                                 << "4,1 2 3,Training\n"          // line 4 not square... 3 values
                                 << "2," << px << "\n"            // line 5 column count
                                 << "x," << px << ",Training\n"   // line 6 label not a number
                                 << "5,1 2 300 4,Training\n"      // line 7 out of range
                                 << "6," << px << ",Training\n";  // line 8 ok
  LoadReport rep;
  FaceDataset d = load_fer_csv((dir / "bad.csv").string(), "Training", 48, rep);
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.labels[0], emotion_index("happy"));
  EXPECT_EQ(d.labels[1], emotion_index("neutral"));  // CSV 6 = neutral
  ASSERT_EQ(rep.problems.size(), 5u);
  for (int line : {3, 4, 5, 6, 7})
    EXPECT_NE(rep.problems[static_cast<size_t>(line - 3)].find("bad.csv:" + std::to_string(line) + ":"),
              std::string::npos)
        << rep.problems[static_cast<size_t>(line - 3)];
}

TEST(DataLoading, UnknownClassesAndUnreadableFilesAreReported) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("folder-bad");
  fs::create_directories(dir / "happy");
  fs::create_directories(dir / "bored");
  auto f = test::fer_files("val", "happy", 2);
  fs::copy_file(f[0], dir / "happy" / "a.jpg");
  fs::copy_file(f[1], dir / "bored" / "b.jpg");
  std::ofstream(dir / "happy" / "broken.jpg") << "garbage";
  std::ofstream(dir / "happy" / "notes.txt") << "hello";
  LoadReport rep;
  FaceDataset d = load_folder(dir.string(), default_class_names(), 48, rep);
  EXPECT_EQ(d.size(), 1);
  std::string all;
  for (const auto& p : rep.problems) all += p + "\n";
  EXPECT_NE(all.find("unknown class 'bored'"), std::string::npos) << all;
  EXPECT_NE(all.find("broken.jpg: unreadable"), std::string::npos) << all;
  EXPECT_NE(all.find("notes.txt: not an image"), std::string::npos) << all;
}

TEST(DataLoading, MissingSplitsFailClearly) {
  auto dir = test::temp_dir("no-splits");
  LoadReport rep;
  try {
    load_splits(dir.string(), 48, rep);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("train/"), std::string::npos);
  }
  EXPECT_THROW(load_splits("/nonexistent/fer", 48, rep), std::runtime_error);
}
