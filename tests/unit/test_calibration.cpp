// Personal calibration's arithmetic (calibration.h); photos and the CLI:
// tests/integration/test_calibration.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "vision/calibration.h"

using namespace moodtune;

namespace {
Baseline baseline_of(const Probs& p) {
  Baseline b;
  b.faces = 3;
  b.probs = p;
  for (float v : p) b.logits.push_back(std::log(v));
  return b;
}
}  // namespace

TEST(Calibration, PriorDivisionJudgesAFaceAgainstThePersonsRest) {
  // Someone whose relaxed face reads clearly neutral: a face at 45% neutral,
  // 40% sad is sadder than their rest.
  const Baseline calm = baseline_of({0.05f, 0.02f, 0.05f, 0.03f, 0.70f, 0.10f, 0.05f});
  const Probs face = {0.05f, 0.02f, 0.03f, 0.02f, 0.45f, 0.40f, 0.03f};
  const Probs p = calibrate(face, calm);  // prior, strength 0.5
  EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-5);
  // By hand: p'(c) ~ p(c) / b(c)^0.5.
  double z = 0;
  std::vector<double> want(7);
  for (size_t c = 0; c < 7; ++c) z += (want[c] = face[c] / std::sqrt(calm.probs[c]));
  for (size_t c = 0; c < 7; ++c) EXPECT_NEAR(p[c], want[c] / z, 1e-5) << c;
  EXPECT_EQ(top_class(face), 4);  // neutral before
  EXPECT_EQ(top_class(p), 5);     // sad after
  // Someone whose relaxed face reads half sad ("resting sad face"): the same
  // reading is their normal, so it stays neutral, and a mildly sad reading
  // becomes neutral too.
  const Baseline glum = baseline_of({0.05f, 0.02f, 0.05f, 0.03f, 0.30f, 0.50f, 0.05f});
  EXPECT_EQ(top_class(calibrate(face, glum)), 4);
  EXPECT_EQ(top_class(calibrate({0.05f, 0.02f, 0.05f, 0.03f, 0.35f, 0.45f, 0.05f}, glum)), 4);
}

TEST(Calibration, StrengthZeroOrNoneChangesNothingAndTheRestingFaceStaysNeutralish) {
  const Baseline rest = baseline_of({0.1f, 0.05f, 0.1f, 0.05f, 0.4f, 0.2f, 0.1f});
  const Probs face = {0.2f, 0.1f, 0.1f, 0.1f, 0.3f, 0.1f, 0.1f};
  EXPECT_EQ(calibrate(face, rest, {"none", 0.5f}), face);
  EXPECT_EQ(calibrate(face, rest, {"prior", 0.0f}), face);
  // Half-way division keeps the person's own resting face neutral.
  EXPECT_EQ(top_class(calibrate(rest.probs, rest)), 4);
}

TEST(Calibration, LogitMethodMovesThePersonOntoTheReference) {
  const Baseline person = baseline_of({0.05f, 0.05f, 0.05f, 0.05f, 0.3f, 0.45f, 0.05f});
  const Baseline reference = baseline_of({0.05f, 0.02f, 0.05f, 0.05f, 0.7f, 0.08f, 0.05f});
  const Probs p = calibrate(person.probs, person, {"logit", 1.0f}, reference);
  for (size_t c = 0; c < 7; ++c) EXPECT_NEAR(p[c], reference.probs[c], 1e-4) << c;
  EXPECT_THROW(calibrate(person.probs, person, {"logit", 1.0f}), std::invalid_argument);  // no reference
}

TEST(Calibration, BadBaselinesAndMethodsAreRefused) {
  const Baseline rest = baseline_of({0.2f, 0.2f, 0.2f, 0.4f});
  EXPECT_THROW(calibrate(Probs(7, 1.0f / 7), rest), std::invalid_argument);  // 4 classes vs 7
  EXPECT_THROW(calibrate(Probs(4, 0.25f), rest, {"magic", 1.0f}), std::invalid_argument);
  EXPECT_THROW(calibrate(Probs(4, 0.25f), Baseline{}), std::invalid_argument);
  // JSON round trip, and malformed ones.
  const Baseline back = Baseline::from_json(rest.to_json());
  EXPECT_EQ(back.probs, rest.probs);
  EXPECT_EQ(back.faces, 3);
  nlohmann::json j = rest.to_json();
  j["probs"][0] = 7.0;
  EXPECT_THROW(Baseline::from_json(j), std::invalid_argument);
  j = rest.to_json();
  j["logits"].erase(0);
  EXPECT_THROW(Baseline::from_json(j), std::invalid_argument);
  EXPECT_THROW(Baseline::from_json(nlohmann::json::parse(R"({"faces": "x"})")), std::invalid_argument);
}
