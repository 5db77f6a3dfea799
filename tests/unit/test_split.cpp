// Comma lists: split() keeps every item as written, join() puts them back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/split.h"

using namespace moodtune;

TEST(Split, KeepsEveryItemAsWrittenEmptyOnesIncluded) {
  EXPECT_EQ(split("a.mtm,b.mtm", ','), (std::vector<std::string>{"a.mtm", "b.mtm"}));
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(split("a,", ','), (std::vector<std::string>{"a", ""}));
}

TEST(Split, JoinIsItsInverseWithAnySeparator) {
  for (const std::string t : {"a.mtm,b.mtm", "a,,b", "", ",", "one"}) EXPECT_EQ(join(split(t, ','), ","), t);
  EXPECT_EQ(join({"angry", "disgust", "fear"}, ", "), "angry, disgust, fear");
  EXPECT_EQ(join({}, " | "), "");
  // An empty first item still gets its separator (a message must not lose a place).
  EXPECT_EQ(join({"", "b"}, " | "), " | b");
}
