// trainer.h — trains an EmotionNet on a DataSplits, with checkpoints that
// survive SIGKILL and resume exactly.
//
//   moodtune::TrainParams tp;
//   tp.data = "../shared/fer2013";  tp.out_dir = "runs/fer";  tp.epochs = 60;
//   moodtune::TrainResult r = moodtune::train_model(tp);   // or tp.resume = true
//   // r.best_model is runs/fer/best.mtm
//
// Run folder: checkpoint/ (model, optimiser and state.json of the last
// finished epoch; state.json is written last and is the commit point),
// best.mtm (best by validation accuracy), metrics.csv and metrics.jsonl (one
// row per epoch, rewritten whole each epoch so a kill cannot leave half a
// row), data_stats.json (class counts before and after resampling).
//
// Determinism: with the same seed, data order, augmentation and dropout are a
// function of (seed, epoch, batch), so a resumed run repeats the epochs an
// uninterrupted run would have run (same thread count assumed).
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "training/augment.h"
#include "training/checkpoint.h"
#include "training/dataset.h"
#include "training/distill.h"
#include "training/mixing.h"
#include "training/optimizer.h"
#include "vision/emotion_net.h"

namespace moodtune {

struct TrainParams {
  std::string data;  // class-folder root or FER2013 CSV
  std::string out_dir = "runs/latest";
  NetConfig net;
  int epochs = 60;
  int batch_size = 64;
  std::string optimizer = "sgd";  // sgd (Nesterov momentum) | adamw
  double lr = 0.05;               // peak learning rate
  double momentum = 0.9;
  double weight_decay = 5e-4;
  std::string schedule = "onecycle";  // onecycle | cosine | plateau | constant
  double warmup_fraction = 0.15;      // onecycle/cosine: share of steps spent warming up
  double plateau_factor = 0.5;        // plateau: lr *= factor ...
  int plateau_patience = 3;           // ... after this many epochs without improvement
  double label_smoothing = 0.1;
  std::string balance = "oversample";  // oversample | weights | none
  double oversample_to = 0.5;          // minority classes are resampled up to this share of the largest
  AugmentParams augment;
  MixParams mix;                 // MixUp / CutMix (off by default)
  DistillParams distill;         // a teacher's soft targets (off by default; distill.h)
  int early_stop_patience = 15;  // epochs without a better val accuracy; 0 = off
  uint64_t seed = 1;
  int threads = 2;
  std::string init_model;        // fine-tune from this model file
  bool freeze_backbone = false;  // with init_model: train the head only
  // Level every face by its eye line (face_crop.h) before augmentation; the
  // model records it, so inference levels its crops too.
  bool level_eyes = false;
  bool resume = false;
  int64_t max_per_class = 0;  // >0: use at most this many training images per class
};

struct TrainResult {
  std::vector<EpochMetrics> history;
  int best_epoch = 0;
  double best_val_acc = 0;
  std::string best_model;  // path of best.mtm
  bool stopped_early = false;
  double train_seconds = 0;  // across resumes
};

// Per-class sampling counts for one epoch (the training split only).
std::vector<int64_t> resampled_counts(const std::vector<int64_t>& counts, const std::string& balance,
                                      double oversample_to);
// Indices of one epoch: each class's images repeated/sampled to its target
// count, then shuffled, all drawn from `rng`.
std::vector<int64_t> epoch_indices(const FaceDataset& train, const std::vector<int64_t>& targets, std::mt19937_64& rng);
// What a run is about to do, for the caller to show.
struct TrainStart {
  std::string arch;
  int width = 0;
  int64_t parameters = 0;
  int epochs = 0;
  int resumed_after = 0;  // epochs already done (0 = a new run)
  RunState state;         // of the checkpoint resumed from
  std::vector<std::string> classes;
  std::vector<int64_t> train_counts, resampled_counts, val_counts;
};

// How a run reports as it goes; every member may be empty. The library
// prints nothing itself: `moodtune train` formats these.
struct TrainObserver {
  std::function<void(const std::string&)> on_warning;  // data problems worth a look
  std::function<void(const TrainStart&)> on_start;
  // During an epoch: images done of total, running loss and accuracy.
  std::function<void(int epoch, int64_t done, int64_t total, double loss, double acc)> on_batch;
  // After the epoch's checkpoint is committed; throwing stops the run there.
  std::function<void(const EpochMetrics&, bool is_best)> on_epoch;
};

using EpochCallback = std::function<void(const EpochMetrics&)>;

// Loads p.data itself and trains. Throws std::runtime_error with an
// actionable message on bad parameters or data.
TrainResult train_model(const TrainParams& p, const TrainObserver& obs = {});
TrainResult train_model(const TrainParams& p, const DataSplits& data, const TrainObserver& obs = {});
TrainResult train_model(const TrainParams& p, const DataSplits& data, const EpochCallback& on_epoch);

// The parameters as a checkpoint records them, to refuse a --resume that
// changed them.
nlohmann::json train_params_to_json(const TrainParams& p);
// The same as a model file records them: paths under the home folder written
// "~/..." (home_path.h), since model files travel.
nlohmann::json train_params_for_model_file(const TrainParams& p);

}  // namespace moodtune
