// Paths that model files record: the home folder said as "~" on the way in,
// and found again on the way out.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "common/home_path.h"

using namespace moodtune;

namespace {
// Sets HOME for one test and puts the old value back.
class HomeIs {
 public:
  explicit HomeIs(const char* home) {
    if (const char* h = std::getenv("HOME")) old_ = h;
    if (home) setenv("HOME", home, 1); else unsetenv("HOME");
  }
  ~HomeIs() {
    if (old_) setenv("HOME", old_->c_str(), 1); else unsetenv("HOME");
  }

 private:
  std::optional<std::string> old_;
};
}  // namespace

TEST(HomePath, TheHomeFolderIsWrittenAsTildeAndReadBack) {
  HomeIs home("/home/ana");
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
  HomeIs home("/home/ana/");  // a trailing slash in HOME is the same folder
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
    HomeIs home(h);
    EXPECT_EQ(tilde_home("/home/ana/x"), "/home/ana/x");
    EXPECT_EQ(expand_home("~/x"), "~/x");
  }
}
