// training_bench.h — `moodtune bench train`: training throughput per
// architecture, with and without augmentation, and the data path alone.
//
//   moodtune::TrainingBenchParams p;  p.fer = "~/.cache/moodtune/fer2013";
//   nlohmann::json r = moodtune::bench_training(p);
//   double ips = r["train"]["resnet-compact"]["augment_on"]["images_per_s"];
//
// Uses FER2013's validation split as data (no training happens that
// matters); sets torch's thread count to 2. Run it alone.
#pragma once
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace moodtune {

struct TrainingBenchParams {
  std::string fer;            // FER2013 folder with train/ and val/
  int batches = 20;           // timed batches of 64 per configuration
  std::FILE* table = stdout;  // where the table is printed as it goes; nullptr: nowhere
};

// Throws std::runtime_error when the data is missing or too small.
nlohmann::json bench_training(const TrainingBenchParams& p);

}  // namespace moodtune
