// Smoke training on a small real subset of FER2013 (40 images per class).
#include <algorithm>
#include <csignal>
#include <fstream>
#include <numeric>
#include <thread>

#include "../test_support.h"
#include "training/evaluate.h"
#include "training/report.h"
#include "training/trainer.h"
#include "vision/model_file.h"
#include "vision/net_input.h"
#include "vision/rebalance.h"

using namespace moodtune;
namespace fs = std::filesystem;

namespace {
const DataSplits& small_fer() {
  static DataSplits d = [] {
    LoadReport rep;
    DataSplits full = load_splits(test::fer_dir(), 48, rep);
    DataSplits s;
    s.train = full.train.take_per_class(40);
    s.val = full.val.take_per_class(15);
    s.train_source = full.train_source + " (40 per class)";
    s.val_source = full.val_source + " (15 per class)";
    return s;
  }();
  return d;
}

// A class-folder tree of real FER2013 faces for the binary: 150 training
// and 20 validation faces of each of three classes.
std::string three_class_tree(const fs::path& root) {
  for (const char* cls : {"happy", "sad", "surprise"}) {
    for (const char* split : {"train", "val"}) {
      fs::create_directories(root / split / cls);
      for (const auto& f : test::fer_files(split, cls, std::string(split) == "train" ? 150 : 20))
        fs::copy_file(f, root / split / cls / fs::path(f).filename());
    }
  }
  return root.string();
}

// The real binary started in the background; its process id.
int start_moodtune(const std::string& args) {
  FILE* pipe = popen((std::string(MOODTUNE_BINARY) + " " + args + " >/dev/null 2>&1 & echo $!").c_str(), "r");
  int pid = 0;
  if (!pipe || fscanf(pipe, "%d", &pid) != 1) pid = 0;
  if (pipe) pclose(pipe);
  return pid;
}

// Waits up to 60 s, polling every `poll`, for `path` to exist.
bool wait_for_file(const fs::path& path, std::chrono::milliseconds poll) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(path) && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(poll);
  return fs::exists(path);
}

TrainParams smoke_params(const fs::path& out, int epochs) {
  TrainParams p;
  p.out_dir = out.string();
  p.epochs = epochs;
  p.net.width = 16;  // small and fast; the architecture code path is the same
  p.batch_size = 32;
  p.lr = 0.05;
  p.threads = 2;
  p.early_stop_patience = 0;
  return p;
}
}  // namespace

TEST(Training, LossGoesDownAndTheExportedModelEvaluates) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("train-smoke");
  TrainParams p = smoke_params(dir, 4);
  p.augment.enabled = false;  // so the decrease is not hidden by augmentation noise
  p.data = test::fer_dir();
  // As if the data sat in the user's home folder: the model file records it
  // as "~/..." (home_path.h), never the account's absolute path. (fer_dir()
  // reads HOME too: everything that needs it is resolved first.)
  const fs::path fake_home = fs::path(test::fer_dir()).parent_path();
  const std::string leaf = fs::path(test::fer_dir()).filename().string();
  const DataSplits& data = small_fer();
  TrainResult r;
  {
    test::ScopedEnv home("HOME", fake_home.c_str());
    r = train_model(p, data);
  }
  ASSERT_EQ(r.history.size(), 4u);
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  LoadedModel m = load_model_file(r.best_model);
  EXPECT_EQ(m.info.classes.size(), 7u);
  EXPECT_EQ(m.info.meta["train_data"], "~/" + leaf + "/train (40 per class)");
  EXPECT_EQ(m.info.meta["params"]["data"], "~/" + leaf);
  EXPECT_EQ(m.info.meta.dump().find(fake_home.string() + "/"), std::string::npos) << m.info.meta.dump();
  // The class distribution it trained under, for `moodtune rebalance`: shares that sum to 1.
  const auto prior = training_class_prior(m.info);
  ASSERT_EQ(prior.size(), 7u);
  EXPECT_NEAR(std::accumulate(prior.begin(), prior.end(), 0.0), 1.0, 1e-9);
  EvalResult ev = evaluate_dataset(m.net, m.info.norm, small_fer().val);
  EXPECT_EQ(ev.metrics.n, small_fer().val.size());  // validation is never resampled
  EXPECT_NEAR(ev.metrics.accuracy, r.best_val_acc, 1e-9);
  // The report renders from the run folder.
  std::string rep = write_training_report(p.out_dir, small_fer());
  for (const char* f : {"report.md", "report.json", "curves_loss.png", "curves_accuracy.png", "confusion.png",
                        "class_distribution.png"})
    EXPECT_TRUE(fs::exists(fs::path(rep) / f)) << f;
  std::string md = test::slurp(fs::path(rep) / "report.md");
  EXPECT_NE(md.find("oversample"), std::string::npos);
  EXPECT_NE(md.find("gamma"), std::string::npos);
}

TEST(Training, AnEyeLevelledRunIsRecordedInItsModelAndCannotResumeUnlevelled) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("train-level");
  TrainParams p = smoke_params(dir, 1);
  p.level_eyes = true;
  TrainResult r = train_model(p, small_fer());
  LoadedModel m = load_model_file(r.best_model);
  EXPECT_TRUE(m.info.level_eyes);
  EXPECT_TRUE(preprocess_params(m.info).level_eyes);  // so every consumer levels its crops
  EXPECT_FALSE(read_model_info(test::model_path()).level_eyes);
  // An ensemble cannot mix levelled and unlevelled members (here: the same
  // weights, differing only in that).
  ModelInfo unlevelled = m.info;
  unlevelled.level_eyes = false;
  const std::string twin = (dir / "twin.mtm").string();
  save_model_file(twin, m.net, unlevelled);
  EXPECT_NO_THROW(load_models(r.best_model + "," + r.best_model));
  EXPECT_THROW(load_models(r.best_model + "," + twin), ModelFileError);
  p.level_eyes = false;
  p.epochs = 2;
  p.resume = true;
  try {
    train_model(p, small_fer());
    ADD_FAILURE() << "resumed a levelled run without levelling";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--level-eyes"), std::string::npos) << e.what();
  }
}

TEST(Training, ResumeRepeatsTheUninterruptedRun) {
  MOODTUNE_REQUIRE_FER();
  auto a = test::temp_dir("train-straight"), b = test::temp_dir("train-resumed");
  TrainResult straight = train_model(smoke_params(a, 2), small_fer());
  // Interrupted right after epoch 1's checkpoint (the SIGKILL test below
  // does the same to the real binary mid-epoch).
  struct Interrupted {};
  EXPECT_THROW(train_model(smoke_params(b, 2), small_fer(),
                           [](const EpochMetrics& m) {
                             if (m.epoch == 1) throw Interrupted{};
                           }),
               Interrupted);
  // What a save killed mid-write leaves: its hidden temporary file.
  const fs::path litter = b / "checkpoint" / ".epoch-2.model.tmp-999-0.pt";
  std::ofstream(litter) << "half a model";
  TrainParams p = smoke_params(b, 2);
  p.resume = true;
  TrainResult resumed = train_model(p, small_fer());
  ASSERT_EQ(resumed.history.size(), 2u);
  EXPECT_FALSE(fs::exists(litter)) << "the next checkpoint sweeps a killed save's temporary";
  std::vector<std::string> kept;
  for (const auto& e : fs::directory_iterator(b / "checkpoint")) kept.push_back(e.path().filename().string());
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<std::string>{"epoch-2.model.pt", "epoch-2.optim.pt", "state.json"}));
  EXPECT_NEAR(resumed.history[1].train_loss, straight.history[1].train_loss, 1e-4);
  EXPECT_NEAR(resumed.history[1].val_loss, straight.history[1].val_loss, 1e-4);
  EXPECT_DOUBLE_EQ(resumed.history[1].val_acc, straight.history[1].val_acc);
}

TEST(Training, ARunOnTheDefaultWidthResumesAndRefusesAnotherWidth) {
  MOODTUNE_REQUIRE_FER();
  // Started without --width: the checkpoint records the width the
  // architecture chose, and the same command with --resume must continue.
  auto dir = test::temp_dir("train-default-width");
  TrainParams p = smoke_params(dir, 1);
  p.net.width = 0;
  train_model(p, small_fer());
  p.epochs = 2;
  p.resume = true;
  TrainResult resumed = train_model(p, small_fer());
  EXPECT_EQ(resumed.history.size(), 2u);
  EXPECT_EQ(load_model_file(resumed.best_model).info.net.width, resolve_config(NetConfig{}).width);
  p.epochs = 3;
  p.net.width = 16;
  try {
    train_model(p, small_fer());
    ADD_FAILURE() << "resumed with another width";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'width'"), std::string::npos) << e.what();
  }
}

TEST(Training, OversamplingTouchesOnlyTheTrainingSplit) {
  MOODTUNE_REQUIRE_FER();
  // Imbalanced training subset: disgust gets 5 images, the rest 40.
  const DataSplits& base = small_fer();
  std::vector<int64_t> keep;
  std::vector<int> taken(7, 0);
  for (int64_t i = 0; i < base.train.size(); ++i) {
    auto c = static_cast<size_t>(base.train.labels[static_cast<size_t>(i)]);
    if (taken[c] < (c == 1 ? 5 : 40)) taken[c]++, keep.push_back(i);
  }
  DataSplits d = base;
  d.train = base.train.subset(keep);
  auto dir = test::temp_dir("train-resample");
  TrainParams p = smoke_params(dir, 1);
  p.oversample_to = 1.0;
  train_model(p, d);
  auto stats = nlohmann::json::parse(test::slurp(dir / "data_stats.json"));
  EXPECT_EQ(stats["train"][1], 5);
  EXPECT_EQ(stats["train_resampled"][1], 40);
  EXPECT_EQ(stats["val"].get<std::vector<int64_t>>(), d.val.class_counts());  // validation untouched
  // Resampling copies training images only: no new train/val overlap.
  std::mt19937_64 rng(1);
  auto idx = epoch_indices(d.train, stats["train_resampled"].get<std::vector<int64_t>>(), rng);
  FaceDataset epoch = d.train.subset(idx);
  EXPECT_EQ(find_duplicates(epoch, d.val).size() > 0, find_duplicates(d.train, d.val).size() > 0);
  // And the check itself catches a leak: copy a validation image into training.
  FaceDataset leaky = d.train;
  leaky.images = torch::cat({d.train.images, d.val.images.narrow(0, 0, 1)});
  leaky.labels.push_back(d.val.labels[0]);
  leaky.sources.push_back("leak");
  EXPECT_EQ(find_duplicates(leaky, d.val).size(), find_duplicates(d.train, d.val).size() + 1);
}

TEST(Training, ClassWeightsAreAnAlternative) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("train-weights");
  TrainParams p = smoke_params(dir, 1);
  p.balance = "weights";
  p.optimizer = "adamw";
  p.lr = 2e-3;
  p.schedule = "plateau";
  TrainResult r = train_model(p, small_fer());
  EXPECT_EQ(r.history.size(), 1u);
  EXPECT_TRUE(std::isfinite(r.history[0].train_loss));
}

TEST(Training, FineTuningToADifferentClassSetGetsANewHead) {
  MOODTUNE_REQUIRE_FER();
  auto dir = test::temp_dir("train-finetune");
  TrainResult base = train_model(smoke_params(dir / "base", 1), small_fer());
  // A 3-class problem with its own names, from happy/sad/neutral faces.
  DataSplits d;
  for (auto* split : {&d.train, &d.val}) {
    const FaceDataset& src = split == &d.train ? small_fer().train : small_fer().val;
    std::vector<int64_t> idx;
    for (int64_t i = 0; i < src.size(); ++i) {
      int64_t l = src.labels[static_cast<size_t>(i)];
      if (l == 3 || l == 4 || l == 5) idx.push_back(i);
    }
    *split = src.subset(idx);
    for (auto& l : split->labels) l -= 3;
    split->classes = {"smiling", "calm", "down"};
  }
  TrainParams p = smoke_params(dir / "tuned", 1);
  p.init_model = base.best_model;
  p.freeze_backbone = true;
  LoadedModel before = load_model_file(base.best_model);
  TrainResult r = train_model(p, d);
  LoadedModel after = load_model_file(r.best_model);
  EXPECT_EQ(after.info.classes, (std::vector<std::string>{"smiling", "calm", "down"}));
  EXPECT_EQ(after.info.net.num_classes, 3);
  // Frozen backbone: identical backbone weights and BN statistics.
  auto bp = before.net->named_parameters(), ap = after.net->named_parameters();
  for (const auto& kv : bp)
    if (kv.key().rfind("backbone", 0) == 0) EXPECT_TRUE(torch::equal(kv.value(), ap[kv.key()])) << kv.key();
  auto bb = before.net->named_buffers(), ab = after.net->named_buffers();
  for (const auto& kv : bb) EXPECT_TRUE(torch::equal(kv.value(), ab[kv.key()])) << kv.key();
}

TEST(Training, SigkillMidEpochThenResumeMatchesAnUninterruptedRun) {
  MOODTUNE_REQUIRE_FER();
  // The real binary on a class-folder tree, killed with SIGKILL while the
  // second epoch runs.
  auto dir = test::temp_dir("train-kill");
  const std::string common =
      "train --data " + three_class_tree(dir / "data") + " --epochs 3 --width 16 --batch 32 --threads 1 --patience 0";
  auto straight = test::run_moodtune(common + " --out " + (dir / "a").string());
  ASSERT_EQ(straight.exit_code, 0) << straight.err;

  const int pid = start_moodtune(common + " --out " + (dir / "b").string());
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_file(dir / "b" / "checkpoint" / "state.json", std::chrono::milliseconds(100)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into epoch 2
  ::kill(pid, SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto resumed = test::run_moodtune(common + " --out " + (dir / "b").string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resuming"), std::string::npos) << resumed.out;
  // Same per-epoch metrics (the images/s and seconds columns differ).
  auto strip = [](const std::string& csv) {
    std::string out;
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);) out += line.substr(0, line.rfind(',', line.rfind(',') - 1)) + "\n";
    return out;
  };
  EXPECT_EQ(strip(test::slurp(dir / "a" / "metrics.csv")), strip(test::slurp(dir / "b" / "metrics.csv")));
  EXPECT_TRUE(fs::exists(dir / "b" / "best.mtm"));
  EXPECT_TRUE(fs::exists(dir / "b" / "report" / "report.md"));
}

TEST(Training, ARunCarriedAtHalfPrecisionByTheCheckpointScriptResumes) {
  MOODTUNE_REQUIRE_FER();
  // scripts/training-checkpoint.sh, the way a run longer than a session
  // travels: killed, saved, restored elsewhere, resumed.
  auto dir = test::temp_dir("train-carry");
  const std::string common = "train --data " + three_class_tree(dir / "data") +
                             " --epochs 3 --width 16 --batch 32 --threads 1 --patience 0 --out ";
  auto straight = test::run_moodtune(common + (dir / "a").string());
  ASSERT_EQ(straight.exit_code, 0) << straight.err;
  const int pid = start_moodtune(common + (dir / "c").string());
  ASSERT_GT(pid, 0);
  const auto state = dir / "c" / "checkpoint" / "state.json";
  const bool checkpointed = wait_for_file(state, std::chrono::milliseconds(10));
  ::kill(pid, SIGKILL);
  ASSERT_TRUE(checkpointed);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int done = nlohmann::json::parse(test::slurp(state))["state"]["epochs_done"];
  ASSERT_LT(done, 3) << "killed before the run ended";
  const std::string tag = "epoch-" + std::to_string(done) + ".model.pt";
  const auto own_size = fs::file_size(dir / "c" / "checkpoint" / tag);

  const std::string script = "MOODTUNE_CARRY_FILE=" + (dir / "carry.tar.xz").string() +
                             " MOODTUNE_DEV=" + MOODTUNE_DEV_BINARY + " bash " + MOODTUNE_SOURCE_DIR +
                             "/scripts/training-checkpoint.sh ";
  ASSERT_EQ(std::system((script + "save " + (dir / "c").string() + " > /dev/null").c_str()), 0);
  EXPECT_EQ(fs::file_size(dir / "c" / "checkpoint" / tag), own_size) << "the run's own checkpoint stays float";
  EXPECT_LT(fs::file_size(dir / "carry.tar.xz"), own_size) << "weights and momentum travel at half precision";
  ASSERT_EQ(std::system((script + "restore " + (dir / "b").string() + " > /dev/null").c_str()), 0);
  // Back to float: the size of the original within the archive's own
  // bookkeeping (half would be about half).
  EXPECT_NEAR(static_cast<double>(fs::file_size(dir / "b" / "checkpoint" / tag)), static_cast<double>(own_size),
              own_size * 0.01);

  auto resumed = test::run_moodtune(common + (dir / "b").string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resuming after epoch " + std::to_string(done)), std::string::npos) << resumed.out;
  // The last epoch from rounded weights: its loss moves by far less than
  // an epoch of training moves it.
  const auto last_train_loss = [](const fs::path& run) {
    std::ifstream in(run / "metrics.csv");
    std::string line, last;
    while (std::getline(in, line)) last = line;
    return std::stod(last.substr(last.find(',', last.find(',') + 1) + 1));
  };
  EXPECT_NEAR(last_train_loss(dir / "b"), last_train_loss(dir / "a"), 0.01);
}

TEST(Training, DistillationLearnsTheTeachersSoftTargetsInItsOwnNormalisation) {
  MOODTUNE_REQUIRE_FER();
  const std::string teacher = test::model_path();
  LoadedModel t = load_model_file(teacher);
  DistillParams dp;
  dp.teacher = teacher;
  Distiller d(dp, t.info);
  // Real faces, normalised as the teacher expects: its own logits cost nothing.
  const torch::Tensor u8 = small_fer().val.images.slice(0, 0, 8);
  const torch::Tensor x = normalise_u8(u8, t.info.norm);
  torch::Tensor logits;
  {
    torch::NoGradGuard g;
    logits = t.net->forward(x);
  }
  EXPECT_LT(d.loss(logits, x, t.info.norm).item<double>(), 1e-5);
  EXPECT_GT(d.loss(torch::zeros_like(logits), x, t.info.norm).item<double>(), 0.05);
  // A student with another normalisation: the teacher still sees its own.
  Normalisation other{t.info.norm.mean + 0.1f, t.info.norm.std * 1.3f};
  EXPECT_LT(d.loss(logits, normalise_u8(u8, other), other).item<double>(), 1e-4);
  // The gradient reaches the student's logits.
  torch::Tensor s = torch::zeros_like(logits).requires_grad_(true);
  d.loss(s, x, t.info.norm).backward();
  EXPECT_GT(s.grad().abs().sum().item<double>(), 0);

  // A run with a teacher trains, and records it; a teacher of other classes is refused.
  auto dir = test::temp_dir("train-distill");
  TrainParams p = smoke_params(dir / "run", 1);
  p.distill = dp;
  TrainResult r = train_model(p, small_fer());
  ASSERT_EQ(r.history.size(), 1u);
  EXPECT_TRUE(std::isfinite(r.history[0].train_loss));
  DataSplits three = small_fer();
  three.train.classes[0] = "cross";
  TrainParams q = smoke_params(dir / "bad", 1);
  q.distill = dp;
  try {
    train_model(q, three);
    ADD_FAILURE() << "a teacher of other classes was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("classes differ"), std::string::npos) << e.what();
  }
}
