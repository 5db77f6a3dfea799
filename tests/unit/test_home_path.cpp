// Paths that model files record: the home folder said as "~" on the way in,
// and found again on the way out.
#include <gtest/gtest.h>

#include <string>

#include "../test_support.h"
#include "common/home_path.h"

using namespace moodtune;

TEST(HomePath, TheHomeFolderIsWrittenAsTildeAndReadBack) {
  test::ScopedEnv home("HOME", "/home/ana");
  EXPECT_EQ(tilde_home("/home/ana/.cache/moodtune/fer2013/train"), "~/.cache/moodtune/fer2013/train");
  EXPECT_EQ(tilde_home("/home/ana"), "~");
  EXPECT_EQ(expand_home("~/.cache/moodtune/fer2013/train"), "/home/ana/.cache/moodtune/fer2013/train");
  EXPECT_EQ(expand_home("~"), "/home/ana");
  // A comma list (an ensemble of teachers), item by item.
  EXPECT_EQ(tilde_home("/home/ana/a.mtm,/srv/b.mtm,/home/ana/c.mtm"), "~/a.mtm,/srv/b.mtm,~/c.mtm");
  EXPECT_EQ(expand_home("~/a.mtm,/srv/b.mtm"), "/home/ana/a.mtm,/srv/b.mtm");
  // A FER2013 CSV source keeps its note.
  EXPECT_EQ(tilde_home("/home/ana/fer2013.csv (Usage=Training)"), "~/fer2013.csv (Usage=Training)");
}

TEST(HomePath, OnlyWholeComponentsOfTheHomeFolderMatch) {
  test::ScopedEnv home("HOME", "/home/ana/");  // a trailing slash in HOME is the same folder
  EXPECT_EQ(tilde_home("/home/ana2/x"), "/home/ana2/x");
  EXPECT_EQ(tilde_home("/home/an"), "/home/an");
  EXPECT_EQ(tilde_home("relative/home/ana/x"), "relative/home/ana/x");
  EXPECT_EQ(tilde_home("/home/ana/x"), "~/x");
  EXPECT_EQ(expand_home("~bo/x"), "~bo/x");  // another user's home is not ours to guess
  EXPECT_EQ(expand_home("data/~/x"), "data/~/x");
  EXPECT_EQ(tilde_home(""), "");
}

TEST(HomePath, NoUsableHomeChangesNothing) {
  for (const char* h : {static_cast<const char*>(nullptr), "", "/"}) {
    test::ScopedEnv home("HOME", h);
    EXPECT_EQ(tilde_home("/home/ana/x"), "/home/ana/x");
    EXPECT_EQ(expand_home("~/x"), "~/x");
  }
}
