#include "benchmarks/training_bench.h"

#include <filesystem>
#include <random>

#include "benchmarks/bench_table.h"
#include "common/stats.h"
#include "training/augment.h"
#include "training/dataset.h"
#include "vision/emotion_net.h"
#include "vision/net_input.h"

namespace moodtune {
namespace fs = std::filesystem;
using namespace bench_detail;  // Clock, ms, table_row

nlohmann::json bench_training(const TrainingBenchParams& p) {
  const std::string& fer = p.fer;
  const int batches = p.batches;
  std::FILE* const table = p.table;
  torch::set_num_threads(2);
  LoadReport rep;
  auto classes = discover_classes((fs::path(fer) / "train").string());
  FaceDataset data = load_folder((fs::path(fer) / "val").string(), classes, 48, rep);
  if (data.size() < 64) throw std::runtime_error(fer + ": too few images for the training benchmark");
  nlohmann::json out = {{"batch", 64}, {"threads", 2}, {"batches", batches}};
  const int64_t bs = 64;
  // Data path alone: batch assembly + augmentation, per image.
  for (bool aug : {false, true}) {
    AugmentParams ap;
    ap.enabled = aug;
    std::vector<double> per_batch;
    std::mt19937 rng(1);
    for (int b = 0; b < batches * 4; ++b) {
      auto t0 = Clock::now();
      torch::Tensor idx = torch::randint(data.size(), {bs}, torch::kLong);
      torch::Tensor u8 = data.images.index_select(0, idx).contiguous();
      augment_batch(u8, ap, rng);
      torch::Tensor x = normalise_u8(u8, {});
      per_batch.push_back(ms(t0, Clock::now()));
    }
    Summary s = summarise(per_batch);
    double ips = 1000.0 * bs / s.median;
    table_row(table, "data path   augment=%-3s  %8.0f images/s  (median %.3f ms per batch of 64)\n", aug ? "on" : "off",
              ips, s.median);
    out["data_path"][aug ? "augment_on" : "augment_off"] = {{"images_per_s", ips}, {"batch", s.to_json()}};
  }
  for (const std::string& arch : architecture_names()) {
    for (bool aug : {true, false}) {
      NetConfig cfg;
      cfg.arch = arch;
      EmotionNet net = make_emotion_net(cfg);
      torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9).nesterov(true));
      AugmentParams ap;
      ap.enabled = aug;
      std::mt19937 rng(1);
      std::vector<double> per_batch;
      for (int b = 0; b < batches + 3; ++b) {
        auto t0 = Clock::now();
        torch::Tensor idx = torch::randint(data.size(), {bs}, torch::kLong);
        torch::Tensor u8 = data.images.index_select(0, idx).contiguous();
        augment_batch(u8, ap, rng);
        torch::Tensor y =
            torch::tensor(std::vector<int64_t>(data.labels.begin(), data.labels.begin() + bs), torch::kLong);
        opt.zero_grad();
        torch::Tensor loss = torch::cross_entropy_loss(net->forward(normalise_u8(u8, {})), y);
        loss.backward();
        opt.step();
        if (b >= 3) per_batch.push_back(ms(t0, Clock::now()));
      }
      Summary s = summarise(per_batch);
      double ips = 1000.0 * bs / s.median;
      table_row(table, "train step  %-22s augment=%-3s %7.0f images/s  (median %.1f ms, p95 %.1f ms per batch)\n",
                arch.c_str(), aug ? "on" : "off", ips, s.median, s.p95);
      out["train"][arch][aug ? "augment_on" : "augment_off"] = {
          {"images_per_s", ips}, {"batch", s.to_json()}, {"parameters", net->parameter_count()}};
    }
  }
  return out;
}

}  // namespace moodtune
