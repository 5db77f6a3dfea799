#include "training/checkpoint.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"
#include "vision/model_file.h"

namespace moodtune {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error(p.string() + ": cannot read the checkpoint");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string epoch_tag(int epoch) { return "epoch-" + std::to_string(epoch); }

// Modules and optimisers both write themselves into an archive; the file is
// complete under its final name or not there at all.
template <typename T>
void save_renamed(T& what, const fs::path& path) {
  torch::serialize::OutputArchive a;
  what.save(a);
  write_atomically(path.string(), [&](const std::string& tmp) { a.save_to(tmp); });
}

template <typename T>
void load_archive(T& what, const fs::path& path) {
  if (!fs::exists(path)) throw std::runtime_error(path.string() + ": missing; the checkpoint is incomplete");
  torch::serialize::InputArchive a;
  a.load_from(path.string());
  what.load(a);
}

}  // namespace

bool has_checkpoint(const fs::path& ckdir) { return fs::exists(ckdir / "state.json"); }

void save_checkpoint(const fs::path& ckdir, torch::nn::Module& net, torch::optim::Optimizer& opt,
                     const CheckpointData& d) {
  fs::create_directories(ckdir);
  const std::string tag = epoch_tag(d.state.epochs_done);
  save_renamed(net, ckdir / (tag + ".model.pt"));
  save_renamed(opt, ckdir / (tag + ".optim.pt"));
  const json sj = {{"params", d.params},
                   {"norm", {{"mean", d.norm.mean}, {"std", d.norm.std}}},
                   {"classes", d.classes},
                   {"state", d.state}};
  write_file_atomically((ckdir / "state.json").string(), sj.dump(1));
  for (const auto& e : fs::directory_iterator(ckdir)) {
    const std::string name = e.path().filename().string();
    // Older epochs, and the hidden temporaries of a save that was killed.
    const bool old_epoch = name.rfind("epoch-", 0) == 0 && name.rfind(tag + ".", 0) != 0;
    const bool stale_temporary = name.front() == '.' && name.find(".tmp-") != std::string::npos;
    if (old_epoch || stale_temporary) fs::remove(e.path());
  }
}

CheckpointData read_checkpoint(const fs::path& ckdir) {
  const fs::path state_path = ckdir / "state.json";
  CheckpointData d;
  try {
    const json sj = json::parse(slurp(state_path));
    d.params = sj.at("params");
    d.norm.mean = sj.at("norm").at("mean");
    d.norm.std = sj.at("norm").at("std");
    d.classes = sj.value("classes", std::vector<std::string>{});
    d.state = sj.at("state").get<RunState>();
  } catch (const json::exception& e) {
    throw std::runtime_error(state_path.string() + ": not a readable checkpoint (" + e.what() + ")");
  }
  return d;
}

void load_checkpoint_tensors(const fs::path& ckdir, int epoch, torch::nn::Module& net, torch::optim::Optimizer& opt) {
  const std::string tag = epoch_tag(epoch);
  load_archive(net, ckdir / (tag + ".model.pt"));
  load_archive(opt, ckdir / (tag + ".optim.pt"));
}

void load_epoch_weights(const fs::path& model_pt, torch::nn::Module& net) { load_archive(net, model_pt); }

void write_epoch_logs(const fs::path& dir, const std::vector<EpochMetrics>& history) {
  std::string csv =
      "epoch,lr,train_loss,train_acc,val_loss,val_acc,val_balanced_acc,val_macro_f1,images_per_s,seconds\n";
  std::string jsonl;
  char buf[256];
  for (const auto& e : history) {
    std::snprintf(buf, sizeof buf, "%d,%.6g,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.1f,%.1f\n", e.epoch, e.lr, e.train_loss,
                  e.train_acc, e.val_loss, e.val_acc, e.val_balanced_acc, e.val_macro_f1, e.images_per_s, e.seconds);
    csv += buf;
    jsonl += json(e).dump() + "\n";
  }
  write_file_atomically((dir / "metrics.csv").string(), csv);
  write_file_atomically((dir / "metrics.jsonl").string(), jsonl);
}

}  // namespace moodtune
