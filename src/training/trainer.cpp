#include "training/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>

#include "common/progress.h"
#include "training/evaluate.h"
#include "vision/model_file.h"

namespace moodtune {
namespace fs = std::filesystem;
using json = nlohmann::json;

json EpochMetrics::to_json() const {
  return {{"epoch", epoch}, {"lr", lr}, {"train_loss", train_loss}, {"train_acc", train_acc},
          {"val_loss", val_loss}, {"val_acc", val_acc}, {"val_balanced_acc", val_balanced_acc},
          {"val_macro_f1", val_macro_f1}, {"images_per_s", images_per_s}, {"seconds", seconds}};
}

EpochMetrics EpochMetrics::from_json(const json& j) {
  EpochMetrics m;
  m.epoch = j.at("epoch");
  m.lr = j.at("lr");
  m.train_loss = j.at("train_loss");
  m.train_acc = j.at("train_acc");
  m.val_loss = j.at("val_loss");
  m.val_acc = j.at("val_acc");
  m.val_balanced_acc = j.value("val_balanced_acc", 0.0);
  m.val_macro_f1 = j.value("val_macro_f1", 0.0);
  m.images_per_s = j.value("images_per_s", 0.0);
  m.seconds = j.value("seconds", 0.0);
  return m;
}

json train_params_to_json(const TrainParams& p) {
  const AugmentParams& a = p.augment;
  return {{"data", p.data}, {"arch", p.net.arch}, {"width", p.net.width}, {"dropout", p.net.dropout},
          {"input_size", p.net.input_size}, {"epochs", p.epochs}, {"batch_size", p.batch_size},
          {"optimizer", p.optimizer}, {"lr", p.lr}, {"momentum", p.momentum}, {"weight_decay", p.weight_decay},
          {"schedule", p.schedule}, {"warmup_fraction", p.warmup_fraction}, {"plateau_factor", p.plateau_factor},
          {"plateau_patience", p.plateau_patience}, {"label_smoothing", p.label_smoothing},
          {"balance", p.balance}, {"oversample_to", p.oversample_to}, {"early_stop_patience", p.early_stop_patience},
          {"seed", p.seed}, {"threads", p.threads}, {"init_model", p.init_model},
          {"freeze_backbone", p.freeze_backbone}, {"max_per_class", p.max_per_class},
          {"augment", {{"enabled", a.enabled}, {"flip", a.flip}, {"rotate_deg", a.rotate_deg}, {"scale", a.scale},
                       {"shift", a.shift}, {"brightness", a.brightness}, {"contrast", a.contrast},
                       {"gamma", a.gamma}, {"erase_prob", a.erase_prob}}},
          {"mix", mix_mode_name(p.mix.mode)}, {"mix_alpha", p.mix.alpha}, {"mix_prob", p.mix.prob}};
}

std::vector<int64_t> resampled_counts(const std::vector<int64_t>& counts, const std::string& balance, double to) {
  std::vector<int64_t> out = counts;
  if (balance != "oversample") return out;
  int64_t mx = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
  auto floor_n = static_cast<int64_t>(std::llround(static_cast<double>(mx) * to));
  for (auto& c : out)
    if (c > 0 && c < floor_n) c = floor_n;
  return out;
}

std::vector<int64_t> epoch_indices(const FaceDataset& train, const std::vector<int64_t>& targets, std::mt19937_64& rng) {
  std::vector<std::vector<int64_t>> by_class(train.classes.size());
  for (int64_t i = 0; i < train.size(); ++i) by_class[static_cast<size_t>(train.labels[static_cast<size_t>(i)])].push_back(i);
  std::vector<int64_t> idx;
  for (size_t c = 0; c < by_class.size(); ++c) {
    auto& members = by_class[c];
    if (members.empty()) continue;
    // Every original image once, then extra copies drawn without bias.
    idx.insert(idx.end(), members.begin(), members.end());
    std::uniform_int_distribution<size_t> pick(0, members.size() - 1);
    for (int64_t k = static_cast<int64_t>(members.size()); k < targets[c]; ++k) idx.push_back(members[pick(rng)]);
  }
  std::shuffle(idx.begin(), idx.end(), rng);
  return idx;
}

double scheduled_lr(const TrainParams& p, int64_t step, int64_t total) {
  if (p.schedule == "constant" || p.schedule == "plateau") return p.lr;
  const double t = total > 0 ? static_cast<double>(step) / static_cast<double>(total) : 1.0;
  const double w = p.warmup_fraction;
  const double kPi = 3.14159265358979323846;
  if (p.schedule == "onecycle") {
    // Smith & Topin (2017): warm up from lr/25, then anneal to lr/1e4.
    const double start = p.lr / 25.0, end = p.lr / 1e4;
    if (t < w) return start + (p.lr - start) * (1 - std::cos(kPi * t / w)) / 2;
    return end + (p.lr - end) * (1 + std::cos(kPi * (t - w) / (1 - w))) / 2;
  }
  if (p.schedule == "cosine") {
    if (t < w) return p.lr * (t / w);
    return p.lr * (1 + std::cos(kPi * (t - w) / (1 - w))) / 2;
  }
  throw std::invalid_argument("unknown schedule '" + p.schedule + "' (onecycle, cosine, plateau, constant)");
}

namespace {

void validate(const TrainParams& p) {
  if (p.epochs < 1) throw std::invalid_argument("--epochs must be at least 1");
  if (p.batch_size < 2) throw std::invalid_argument("--batch must be at least 2 (batch norm)");
  if (p.optimizer != "sgd" && p.optimizer != "adamw") throw std::invalid_argument("unknown optimizer '" + p.optimizer + "' (sgd, adamw)");
  if (p.balance != "oversample" && p.balance != "weights" && p.balance != "none")
    throw std::invalid_argument("unknown balance '" + p.balance + "' (oversample, weights, none)");
  if (p.label_smoothing < 0 || p.label_smoothing >= 1) throw std::invalid_argument("--label-smoothing must be in [0,1)");
  if (p.mix.alpha <= 0) throw std::invalid_argument("--mix-alpha must be positive");
  if (p.mix.prob < 0 || p.mix.prob > 1) throw std::invalid_argument("--mix-prob must be in [0,1]");
  if (p.freeze_backbone && p.init_model.empty()) throw std::invalid_argument("--freeze-backbone needs --init MODEL");
  scheduled_lr(p, 0, 1);  // rejects an unknown schedule before any work
}

Normalisation measure_norm(const FaceDataset& train) {
  torch::Tensor x = train.images.to(torch::kFloat32).div(255.0f);
  Normalisation n;
  n.mean = x.mean().item<float>();
  n.std = x.std().item<float>();
  return n;
}

// Cross-entropy with label smoothing and optional class weights, normalised
// by the total weight like PyTorch's weighted mean.
torch::Tensor smoothed_loss(const torch::Tensor& logits, const torch::Tensor& y, double eps, const torch::Tensor& w) {
  torch::Tensor logp = torch::log_softmax(logits, 1);
  torch::Tensor nll = -logp.gather(1, y.unsqueeze(1)).squeeze(1);
  torch::Tensor uniform = -logp.mean(1);
  torch::Tensor per = (1 - eps) * nll + eps * uniform;
  if (!w.defined()) return per.mean();
  torch::Tensor wi = w.index_select(0, y);
  return (per * wi).sum() / wi.sum();
}

struct RunState {
  int epochs_done = 0;
  double best_val_acc = -1;
  int best_epoch = 0;
  int bad_epochs = 0;          // since the best (early stopping)
  double plateau_scale = 1.0;  // plateau schedule multiplier
  int plateau_bad = 0;
  double train_seconds = 0;
  std::vector<EpochMetrics> history;
  json to_json() const {
    json h = json::array();
    for (const auto& e : history) h.push_back(e.to_json());
    return {{"epochs_done", epochs_done}, {"best_val_acc", best_val_acc}, {"best_epoch", best_epoch},
            {"bad_epochs", bad_epochs}, {"plateau_scale", plateau_scale}, {"plateau_bad", plateau_bad},
            {"train_seconds", train_seconds}, {"history", h}};
  }
  static RunState from_json(const json& j) {
    RunState s;
    s.epochs_done = j.at("epochs_done");
    s.best_val_acc = j.at("best_val_acc");
    s.best_epoch = j.at("best_epoch");
    s.bad_epochs = j.at("bad_epochs");
    s.plateau_scale = j.at("plateau_scale");
    s.plateau_bad = j.at("plateau_bad");
    s.train_seconds = j.at("train_seconds");
    for (const auto& e : j.at("history")) s.history.push_back(EpochMetrics::from_json(e));
    return s;
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_logs(const fs::path& dir, const std::vector<EpochMetrics>& history) {
  std::string csv = "epoch,lr,train_loss,train_acc,val_loss,val_acc,val_balanced_acc,val_macro_f1,images_per_s,seconds\n";
  std::string jsonl;
  char buf[256];
  for (const auto& e : history) {
    std::snprintf(buf, sizeof buf, "%d,%.6g,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.1f,%.1f\n", e.epoch, e.lr, e.train_loss,
                  e.train_acc, e.val_loss, e.val_acc, e.val_balanced_acc, e.val_macro_f1, e.images_per_s, e.seconds);
    csv += buf;
    jsonl += e.to_json().dump() + "\n";
  }
  write_file_atomic((dir / "metrics.csv").string(), csv);
  write_file_atomic((dir / "metrics.jsonl").string(), jsonl);
}

template <typename Opt>
void set_lr(Opt& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

}  // namespace

TrainResult train_model(const TrainParams& p, const EpochCallback& cb) {
  LoadReport rep;
  DataSplits data = load_splits(p.data, p.net.input_size, rep);
  for (const auto& prob : rep.problems) std::cerr << "warning: " << prob << "\n";
  if (!rep.problems.empty()) std::cerr << "warning: " << rep.problems.size() << " input problem(s) above; those items were skipped\n";
  return train_model(p, data, cb);
}

TrainResult train_model(const TrainParams& p_in, const DataSplits& data_in, const EpochCallback& cb) {
  TrainParams p = p_in;
  validate(p);
  torch::set_num_threads(p.threads);
  const fs::path dir(p.out_dir);
  const fs::path ckdir = dir / "checkpoint";
  fs::create_directories(ckdir);

  FaceDataset train = p.max_per_class > 0 ? data_in.train.take_per_class(p.max_per_class) : data_in.train;
  const FaceDataset& val = data_in.val;
  const auto& classes = train.classes;
  const int k = static_cast<int>(classes.size());

  // Model: fresh, or fine-tuned from a model file (new head for a new class set).
  ModelInfo info;
  EmotionNet net{nullptr};
  if (!p.init_model.empty()) {
    LoadedModel init = load_model_file(p.init_model);
    net = init.net;
    info = init.info;
    if (info.net.input_size != p.net.input_size)
      throw std::runtime_error(p.init_model + ": model input size " + std::to_string(info.net.input_size) +
                               " differs from --input-size " + std::to_string(p.net.input_size));
    if (init.info.classes != classes) net->reset_head(k);
    info.classes = classes;
    info.net = net->config();
    p.net = info.net;
    if (p.freeze_backbone) net->set_backbone_frozen(true);
  } else {
    torch::manual_seed(p.seed);
    p.net.num_classes = k;
    p.net = resolve_config(p.net);
    net = make_emotion_net(p.net);
    info.net = p.net;
    info.classes = classes;
    info.norm = measure_norm(train);
  }
  net->train();

  std::vector<torch::Tensor> trainable;
  for (auto& t : net->parameters())
    if (t.requires_grad()) trainable.push_back(t);
  std::unique_ptr<torch::optim::Optimizer> opt;
  if (p.optimizer == "sgd")
    opt = std::make_unique<torch::optim::SGD>(trainable, torch::optim::SGDOptions(p.lr).momentum(p.momentum).nesterov(true).weight_decay(p.weight_decay));
  else
    opt = std::make_unique<torch::optim::AdamW>(trainable, torch::optim::AdamWOptions(p.lr).weight_decay(p.weight_decay));

  const std::vector<int64_t> counts = train.class_counts();
  const std::vector<int64_t> targets = resampled_counts(counts, p.balance, p.oversample_to);
  torch::Tensor class_w;
  if (p.balance == "weights") {
    // "Balanced" weights n / (k * n_c) (King & Zeng 2001; scikit-learn).
    std::vector<float> w(static_cast<size_t>(k), 0.0f);
    for (int c = 0; c < k; ++c)
      if (counts[static_cast<size_t>(c)] > 0)
        w[static_cast<size_t>(c)] = static_cast<float>(train.size()) / static_cast<float>(k * counts[static_cast<size_t>(c)]);
    class_w = torch::tensor(w);
  }
  const int64_t epoch_size = std::accumulate(targets.begin(), targets.end(), int64_t{0});
  int64_t steps_per_epoch = epoch_size / p.batch_size + ((epoch_size % p.batch_size) >= 2 ? 1 : 0);
  const int64_t total_steps = steps_per_epoch * p.epochs;

  const auto dups = find_duplicates(train, val);
  if (!dups.empty() && p.verbose)
    std::cerr << "warning: " << dups.size() << " validation image(s) also appear in the training split "
              << "(first: " << val.sources[static_cast<size_t>(dups[0].second)] << " = " << train.sources[static_cast<size_t>(dups[0].first)]
              << "); validation accuracy is inflated by them\n";
  json stats = {{"classes", classes}, {"train", counts}, {"train_resampled", targets}, {"train_val_duplicates", dups.size()},
                {"val", val.class_counts()}, {"balance", p.balance}, {"oversample_to", p.oversample_to},
                {"train_source", data_in.train_source}, {"val_source", data_in.val_source}};
  write_file_atomic((dir / "data_stats.json").string(), stats.dump(2));

  RunState st;
  if (p.resume && fs::exists(ckdir / "state.json")) {
    json sj = json::parse(slurp(ckdir / "state.json"));
    json saved = sj.at("params");
    json now = train_params_to_json(p);
    for (const char* key : {"arch", "width", "optimizer", "batch_size", "balance", "data", "seed", "max_per_class"})
      if (saved.at(key) != now.at(key))
        throw std::runtime_error(std::string("cannot resume: '") + key + "' was " + saved.at(key).dump() + " and is now " + now.at(key).dump());
    st = RunState::from_json(sj.at("state"));
    info.norm.mean = sj.at("norm").at("mean");
    info.norm.std = sj.at("norm").at("std");
    std::string tag = "epoch-" + std::to_string(st.epochs_done);
    torch::load(net, (ckdir / (tag + ".model.pt")).string());
    torch::load(*opt, (ckdir / (tag + ".optim.pt")).string());
    if (p.verbose) std::cout << "resuming " << p.out_dir << " after epoch " << st.epochs_done << " (best val acc " << st.best_val_acc << " at epoch " << st.best_epoch << ")\n";
  } else if (p.resume && p.verbose) {
    std::cout << "no checkpoint in " << ckdir.string() << "; starting a new run\n";
  }

  if (p.verbose && st.epochs_done == 0) {
    std::cout << "training " << info.net.arch << " (width " << info.net.width << ", " << net->parameter_count()
              << " parameters) on " << train.size() << " images, validating on " << val.size() << "\n";
    std::cout << "class      train  resampled    val\n";
    auto vc = val.class_counts();
    for (int c = 0; c < k; ++c) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%-9s %6lld %10lld %6lld\n", classes[static_cast<size_t>(c)].c_str(),
                    static_cast<long long>(counts[static_cast<size_t>(c)]), static_cast<long long>(targets[static_cast<size_t>(c)]),
                    static_cast<long long>(vc[static_cast<size_t>(c)]));
      std::cout << buf;
    }
  }

  TrainResult res;
  const std::string best_path = (dir / "best.mtm").string();
  bool stop = false;
  for (int epoch = st.epochs_done + 1; epoch <= p.epochs && !stop; ++epoch) {
    auto t0 = std::chrono::steady_clock::now();
    std::mt19937_64 order_rng(p.seed * 1000003ULL + static_cast<uint64_t>(epoch));
    torch::manual_seed(p.seed * 7919ULL + static_cast<uint64_t>(epoch));  // dropout
    std::vector<int64_t> idx = epoch_indices(train, targets, order_rng);
    net->train();

    ProgressBar bar("epoch " + std::to_string(epoch) + "/" + std::to_string(p.epochs), static_cast<int64_t>(idx.size()));
    double loss_sum = 0;
    double correct = 0;
    int64_t seen = 0;
    double lr = p.lr;
    for (int64_t b = 0; b < steps_per_epoch; ++b) {
      const int64_t start = b * p.batch_size;
      const int64_t n = std::min<int64_t>(p.batch_size, static_cast<int64_t>(idx.size()) - start);
      std::vector<int64_t> bidx(idx.begin() + start, idx.begin() + start + n);
      torch::Tensor u8 = train.images.index_select(0, torch::tensor(bidx, torch::kLong)).contiguous();
      std::mt19937 aug_rng(static_cast<uint32_t>(p.seed * 2654435761ULL + static_cast<uint64_t>(epoch) * 100003ULL + static_cast<uint64_t>(b)));
      augment_batch(u8, p.augment, aug_rng);
      std::vector<int64_t> ys(n);
      for (int64_t i = 0; i < n; ++i) ys[static_cast<size_t>(i)] = train.labels[static_cast<size_t>(bidx[static_cast<size_t>(i)])];
      torch::Tensor y = torch::tensor(ys, torch::kLong);
      torch::Tensor x = normalise_u8(u8, info.norm);

      lr = scheduled_lr(p, (epoch - 1) * steps_per_epoch + b, total_steps) * st.plateau_scale;
      if (p.optimizer == "sgd") set_lr(static_cast<torch::optim::SGD&>(*opt), lr);
      else set_lr(static_cast<torch::optim::AdamW&>(*opt), lr);

      std::mt19937_64 mix_rng(p.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch) * 1000003ULL + static_cast<uint64_t>(b));
      const MixedBatch mb = mix_batch(x, y, p.mix, mix_rng);

      opt->zero_grad();
      torch::Tensor logits = net->forward(mb.x);
      torch::Tensor loss = smoothed_loss(logits, mb.y_a, p.label_smoothing, class_w);
      if (mb.lam < 1.0) loss = mb.lam * loss + (1.0 - mb.lam) * smoothed_loss(logits, mb.y_b, p.label_smoothing, class_w);
      loss.backward();
      opt->step();
      loss_sum += loss.item<double>() * static_cast<double>(n);
      // On mixed batches a prediction counts by the weight of the label it hits.
      const torch::Tensor pred = logits.argmax(1);
      correct += mb.lam * pred.eq(mb.y_a).sum().item<double>() + (1.0 - mb.lam) * pred.eq(mb.y_b).sum().item<double>();
      seen += n;
      char status[96];
      std::snprintf(status, sizeof status, "loss %.3f acc %.3f", loss_sum / static_cast<double>(seen),
                    correct / static_cast<double>(seen));
      if (p.verbose) bar.advance(n, status);
    }
    double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (p.verbose) bar.finish();

    EvalResult ev = evaluate_dataset(net, info.norm, val);
    EpochMetrics m;
    m.epoch = epoch;
    m.lr = lr;
    m.train_loss = loss_sum / static_cast<double>(std::max<int64_t>(seen, 1));
    m.train_acc = correct / static_cast<double>(std::max<int64_t>(seen, 1));
    m.val_loss = ev.loss;
    m.val_acc = ev.metrics.accuracy;
    m.val_balanced_acc = ev.metrics.balanced_accuracy;
    m.val_macro_f1 = ev.metrics.macro_f1;
    m.images_per_s = static_cast<double>(seen) / train_secs;
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.history.push_back(m);
    st.train_seconds += m.seconds;
    st.epochs_done = epoch;

    if (m.val_acc > st.best_val_acc) {
      st.best_val_acc = m.val_acc;
      st.best_epoch = epoch;
      st.bad_epochs = 0;
      st.plateau_bad = 0;
      info.meta = {{"trained_by", "moodtune train"}, {"train_data", data_in.train_source},
                   {"val_data", data_in.val_source}, {"epoch", epoch}, {"val_acc", m.val_acc},
                   {"val_balanced_acc", m.val_balanced_acc}, {"val_macro_f1", m.val_macro_f1},
                   {"train_seconds", st.train_seconds}, {"params", train_params_to_json(p)}};
      save_model_file(best_path, net, info);
    } else {
      st.bad_epochs++;
      if (p.schedule == "plateau" && ++st.plateau_bad >= p.plateau_patience) {
        st.plateau_scale *= p.plateau_factor;
        st.plateau_bad = 0;
      }
    }
    if (p.early_stop_patience > 0 && st.bad_epochs >= p.early_stop_patience) {
      stop = true;
      res.stopped_early = true;
    }

    // Checkpoint: weights and optimiser first, then state.json (the commit
    // point), then drop the previous epoch's files.
    const std::string tag = "epoch-" + std::to_string(epoch);
    torch::save(net, (ckdir / (tag + ".model.pt.tmp")).string());
    fs::rename(ckdir / (tag + ".model.pt.tmp"), ckdir / (tag + ".model.pt"));
    torch::save(*opt, (ckdir / (tag + ".optim.pt.tmp")).string());
    fs::rename(ckdir / (tag + ".optim.pt.tmp"), ckdir / (tag + ".optim.pt"));
    json sj = {{"params", train_params_to_json(p)}, {"norm", {{"mean", info.norm.mean}, {"std", info.norm.std}}},
               {"classes", classes}, {"state", st.to_json()}};
    write_file_atomic((ckdir / "state.json").string(), sj.dump(1));
    for (const auto& e : fs::directory_iterator(ckdir)) {
      std::string name = e.path().filename().string();
      if (name.rfind("epoch-", 0) == 0 && name.rfind(tag + ".", 0) != 0) fs::remove(e.path());
    }
    write_logs(dir, st.history);

    if (p.verbose) {
      char line[256];
      std::snprintf(line, sizeof line,
                    "epoch %3d/%d  lr %.4g  train loss %.4f acc %.4f  val loss %.4f acc %.4f (bal %.4f)  %.0f img/s  %s%s\n",
                    epoch, p.epochs, lr, m.train_loss, m.train_acc, m.val_loss, m.val_acc, m.val_balanced_acc,
                    m.images_per_s, format_duration(m.seconds).c_str(), st.best_epoch == epoch ? "  *best" : "");
      std::cout << line << std::flush;
    }
    if (cb) cb(m);
  }
  if (res.stopped_early && p.verbose)
    std::cout << "early stop: no better validation accuracy for " << p.early_stop_patience << " epochs\n";

  res.history = st.history;
  res.best_epoch = st.best_epoch;
  res.best_val_acc = st.best_val_acc;
  res.best_model = best_path;
  res.train_seconds = st.train_seconds;
  return res;
}

}  // namespace moodtune
