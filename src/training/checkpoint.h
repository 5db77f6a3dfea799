// checkpoint.h — the state of a training run that survives SIGKILL: what
// has been done (RunState), and the files of the last finished epoch.
//
//   moodtune::RunState st;  st.epochs_done = 3;  ...
//   moodtune::save_checkpoint(ckdir, net, opt, {params_json, norm, classes, st});
//   moodtune::CheckpointData back = moodtune::read_checkpoint(ckdir);
//   moodtune::load_checkpoint_tensors(ckdir, back.state.epochs_done, net, opt);
//
// Layout of RUN/checkpoint/: epoch-N.model.pt and epoch-N.optim.pt (written
// under a temporary name and renamed), then state.json, written last and
// atomically: it is the commit point, so a kill at any moment leaves either
// the previous epoch or this one. Older epochs' files are removed after the
// commit. Not thread-safe: one writer per run folder.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vision/preprocess.h"

namespace moodtune {

struct EpochMetrics {
  int epoch = 0;
  double lr = 0, train_loss = 0, train_acc = 0, val_loss = 0, val_acc = 0;
  double val_balanced_acc = 0, val_macro_f1 = 0, images_per_s = 0, seconds = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EpochMetrics, epoch, lr, train_loss, train_acc, val_loss, val_acc,
                                                val_balanced_acc, val_macro_f1, images_per_s, seconds)

// Progress of a run across epochs and resumes.
struct RunState {
  int epochs_done = 0;
  double best_val_acc = -1;
  int best_epoch = 0;
  int bad_epochs = 0;          // since the best (early stopping)
  double plateau_scale = 1.0;  // plateau schedule multiplier
  int plateau_bad = 0;
  double train_seconds = 0;  // across resumes
  std::vector<EpochMetrics> history;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunState, epochs_done, best_val_acc, best_epoch, bad_epochs,
                                                plateau_scale, plateau_bad, train_seconds, history)

// What state.json holds besides the tensors.
struct CheckpointData {
  nlohmann::json params;  // train_params_to_json of the run
  Normalisation norm;
  std::vector<std::string> classes;
  RunState state;
};

bool has_checkpoint(const std::filesystem::path& ckdir);
void save_checkpoint(const std::filesystem::path& ckdir, torch::nn::Module& net, torch::optim::Optimizer& opt,
                     const CheckpointData& d);
// state.json alone (to check a resume against before any tensor is read).
// Throws std::runtime_error naming the file at fault.
CheckpointData read_checkpoint(const std::filesystem::path& ckdir);
// Loads the weights and optimiser state of `epoch` (d.state.epochs_done)
// into net and opt; throws naming a missing or unreadable file.
void load_checkpoint_tensors(const std::filesystem::path& ckdir, int epoch, torch::nn::Module& net,
                             torch::optim::Optimizer& opt);
// One epoch's weights alone (an epoch-N.model.pt, or a kept copy of one:
// weight averaging, bench/dev/weight_average.cpp); same errors.
void load_epoch_weights(const std::filesystem::path& model_pt, torch::nn::Module& net);

// RUN/metrics.csv and RUN/metrics.jsonl, rewritten whole (a kill cannot
// leave half a row).
void write_epoch_logs(const std::filesystem::path& run_dir, const std::vector<EpochMetrics>& history);

}  // namespace moodtune
