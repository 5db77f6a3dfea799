// moodtune-dev average: does averaging the weights of a run's last epochs
// (stochastic weight averaging, Izmailov et al. 2018) beat its best epoch?
// Reads epoch snapshots (the `checkpoint/epoch-N.model.pt` files a run
// writes, kept aside while it ran), averages their parameters, re-estimates
// the batch-norm statistics on training faces (the averaged weights never
// saw the averaged statistics), and reports PublicTest accuracy of each
// snapshot and of the average. docs/training.md has the figures.
//
//   moodtune-dev average --like RUN/best.mtm --fer FER2013_DIR --out avg.mtm
//       RUN/snapshots/epoch-9{0..9}.model.pt   (one shell line)
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dev/dev_commands.h"
#include "training/checkpoint.h"
#include "training/dataset.h"
#include "training/evaluate.h"
#include "vision/model_file.h"
#include "vision/model_tools.h"
#include "vision/net_input.h"

namespace moodtune::dev {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

EmotionNet load_snapshot(const NetConfig& cfg, const std::string& path) {
  EmotionNet net = make_emotion_net(cfg);
  load_epoch_weights(path, *net);
  return net;
}

// Batch-norm running statistics recomputed as plain averages over `data`
// (momentum none = cumulative average), in training mode without gradients.
void refresh_batch_norm(EmotionNet& net, const Normalisation& norm, const FaceDataset& data, int batch) {
  std::vector<std::pair<torch::nn::BatchNorm2dImpl*, c10::optional<double>>> trained_momentum;
  for (auto& m : net->modules(false))
    if (auto* bn = m->as<torch::nn::BatchNorm2dImpl>()) {
      trained_momentum.emplace_back(bn, bn->options.momentum());
      bn->reset_running_stats();
      bn->options.momentum(c10::nullopt);
    }
  net->train(true);
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < data.size(); i += batch) {
    const int64_t n = std::min<int64_t>(batch, data.size() - i);
    net->forward(normalise_u8(data.images.narrow(0, i, n).unsqueeze(1), norm));
  }
  for (auto& [bn, momentum] : trained_momentum) bn->options.momentum(momentum);
  net->eval();
}

}  // namespace

void add_weight_average(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("average", "Average a run's epoch snapshots (SWA) and compare with each snapshot");
  struct Opts {
    std::string like, fer, out, json_path;
    std::vector<std::string> snapshots;
    int bn_faces = 8000;
    bool each = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("snapshots", o->snapshots, "epoch-N.model.pt files of one run")->required()->check(CLI::ExistingFile);
  cmd->add_option("--like", o->like, "A model file of the same run (its architecture, classes, normalisation)")
      ->required();
  cmd->add_option("--fer", o->fer, "FER2013 folder: train/ for batch-norm statistics, val/ to measure")->required();
  cmd->add_option("--out", o->out, "Write the averaged model here");
  cmd->add_option("--bn-faces", o->bn_faces, "Training faces for the batch-norm statistics")->capture_default_str();
  cmd->add_flag("--each", o->each, "Also measure every snapshot on its own");
  cmd->add_option("--json", o->json_path, "Write the figures as JSON");
  cmd->callback([o, &exit_code] {
    cli::guarded(exit_code, [&] {
      if (!o->out.empty()) refuse_overwriting_input(o->like, o->out);
      LoadedModel like = load_model_file(o->like);
      LoadReport rep;
      const FaceDataset val =
          load_folder((fs::path(o->fer) / "val").string(), like.info.classes, like.info.net.input_size, rep);
      FaceDataset train =
          load_folder((fs::path(o->fer) / "train").string(), like.info.classes, like.info.net.input_size, rep);
      // A fixed random subset, spread over all classes.
      torch::manual_seed(11);
      const auto perm = torch::randperm(train.size(), torch::kLong);
      std::vector<int64_t> pick(perm.data_ptr<int64_t>(),
                                perm.data_ptr<int64_t>() + std::min<int64_t>(o->bn_faces, train.size()));
      train = train.subset(pick);
      auto measure = [&](EmotionNet& net) {
        const EvalResult r = evaluate_dataset(net, like.info.norm, val);
        return json{{"accuracy", r.metrics.accuracy}, {"balanced", r.metrics.balanced_accuracy}};
      };
      json j = {{"like", o->like}, {"snapshots", o->snapshots}, {"bn_faces", train.size()}};
      j["like_figures"] = measure(like.net);
      std::cout << "like (" << o->like << "): " << j["like_figures"].dump() << "\n";
      EmotionNet avg = make_emotion_net(like.info.net);
      auto sum = avg->named_parameters(true);
      for (auto& p : sum) p.value().detach().zero_();
      for (const auto& path : o->snapshots) {
        EmotionNet net = load_snapshot(like.info.net, path);
        if (o->each) {
          json& figures = j["each"][fs::path(path).filename().string()];
          figures = measure(net);
          std::cout << path << ": " << figures.dump() << "\n";
        }
        const auto params = net->named_parameters(true);
        torch::NoGradGuard no_grad;
        for (auto& p : sum) p.value().add_(params[p.key()] / static_cast<double>(o->snapshots.size()));
      }
      refresh_batch_norm(avg, like.info.norm, train, 256);
      j["average"] = measure(avg);
      std::cout << "average of " << o->snapshots.size() << ": " << j["average"].dump() << "\n";
      if (!o->out.empty()) {
        ModelInfo info = like.info;
        info.meta["averaged_from"] = o->snapshots.size();
        info.meta["val_acc"] = j["average"]["accuracy"];
        save_model_file(o->out, avg, info);
      }
      cli::write_json(o->json_path, j);
      return 0;
    });
  });
}

}  // namespace moodtune::dev
