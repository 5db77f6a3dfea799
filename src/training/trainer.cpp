#include "training/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>

#include "common/atomic_file.h"
#include "common/home_path.h"
#include "training/evaluate.h"
#include "vision/model_file.h"
#include "vision/net_input.h"

namespace moodtune {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::vector<int64_t> resampled_counts(const std::vector<int64_t>& counts, const std::string& balance, double to) {
  std::vector<int64_t> out = counts;
  if (balance != "oversample") return out;
  int64_t mx = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
  auto floor_n = static_cast<int64_t>(std::llround(static_cast<double>(mx) * to));
  for (auto& c : out)
    if (c > 0 && c < floor_n) c = floor_n;
  return out;
}

std::vector<int64_t> epoch_indices(const FaceDataset& train, const std::vector<int64_t>& targets,
                                   std::mt19937_64& rng) {
  std::vector<std::vector<int64_t>> by_class(train.classes.size());
  for (int64_t i = 0; i < train.size(); ++i)
    by_class[static_cast<size_t>(train.labels[static_cast<size_t>(i)])].push_back(i);
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

namespace {

void validate(const TrainParams& p) {
  if (p.epochs < 1) throw std::invalid_argument("--epochs must be at least 1");
  if (p.batch_size < 2) throw std::invalid_argument("--batch must be at least 2 (batch norm)");
  if (p.optimizer != "sgd" && p.optimizer != "adamw")
    throw std::invalid_argument("unknown optimizer '" + p.optimizer + "' (sgd, adamw)");
  if (p.balance != "oversample" && p.balance != "weights" && p.balance != "none")
    throw std::invalid_argument("unknown balance '" + p.balance + "' (oversample, weights, none)");
  if (p.label_smoothing < 0 || p.label_smoothing >= 1)
    throw std::invalid_argument("--label-smoothing must be in [0,1)");
  if (p.mix.alpha <= 0) throw std::invalid_argument("--mix-alpha must be positive");
  if (p.mix.prob < 0 || p.mix.prob > 1) throw std::invalid_argument("--mix-prob must be in [0,1]");
  if (p.freeze_backbone && p.init_model.empty()) throw std::invalid_argument("--freeze-backbone needs --init MODEL");
  if (!p.distill.teacher.empty()) check_distill_params(p.distill);
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

// One pass over the (resampled, shuffled) training split.
struct EpochTotals {
  double loss_sum = 0, correct = 0, lr = 0;
  int64_t seen = 0;
};

EpochTotals run_epoch(const TrainParams& p, int epoch, EmotionNet& net, torch::optim::Optimizer& opt,
                      const FaceDataset& train, const Normalisation& norm, const std::vector<int64_t>& targets,
                      const torch::Tensor& class_w, int64_t steps_per_epoch, int64_t total_steps, double lr_scale,
                      Distiller* distiller, const TrainObserver& obs) {
  std::mt19937_64 order_rng(p.seed * 1000003ULL + static_cast<uint64_t>(epoch));
  torch::manual_seed(p.seed * 7919ULL + static_cast<uint64_t>(epoch));  // dropout
  const std::vector<int64_t> idx = epoch_indices(train, targets, order_rng);
  net->train();
  EpochTotals t;
  for (int64_t b = 0; b < steps_per_epoch; ++b) {
    const int64_t start = b * p.batch_size;
    const int64_t n = std::min<int64_t>(p.batch_size, static_cast<int64_t>(idx.size()) - start);
    std::vector<int64_t> bidx(idx.begin() + start, idx.begin() + start + n);
    torch::Tensor u8 = train.images.index_select(0, torch::tensor(bidx, torch::kLong)).contiguous();
    std::mt19937 aug_rng(static_cast<uint32_t>(p.seed * 2654435761ULL + static_cast<uint64_t>(epoch) * 100003ULL +
                                               static_cast<uint64_t>(b)));
    augment_batch(u8, p.augment, aug_rng);
    std::vector<int64_t> ys(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      ys[static_cast<size_t>(i)] = train.labels[static_cast<size_t>(bidx[static_cast<size_t>(i)])];
    const torch::Tensor y = torch::tensor(ys, torch::kLong);
    const torch::Tensor x = normalise_u8(u8, norm);
    std::mt19937_64 mix_rng(p.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch) * 1000003ULL +
                            static_cast<uint64_t>(b));
    const MixedBatch mb = mix_batch(x, y, p.mix, mix_rng);

    t.lr = scheduled_lr(p, (epoch - 1) * steps_per_epoch + b, total_steps) * lr_scale;
    set_learning_rate(opt, t.lr);
    opt.zero_grad();
    torch::Tensor logits = net->forward(mb.x);
    torch::Tensor loss = smoothed_loss(logits, mb.y_a, p.label_smoothing, class_w);
    if (mb.lam < 1.0) loss = mb.lam * loss + (1.0 - mb.lam) * smoothed_loss(logits, mb.y_b, p.label_smoothing, class_w);
    if (distiller) loss = (1.0 - p.distill.weight) * loss + p.distill.weight * distiller->loss(logits, mb.x, norm);
    loss.backward();
    opt.step();
    t.loss_sum += loss.item<double>() * static_cast<double>(n);
    // On mixed batches a prediction counts by the weight of the label it hits.
    const torch::Tensor pred = logits.argmax(1);
    t.correct += mb.lam * pred.eq(mb.y_a).sum().item<double>() + (1.0 - mb.lam) * pred.eq(mb.y_b).sum().item<double>();
    t.seen += n;
    if (obs.on_batch)
      obs.on_batch(epoch, t.seen, static_cast<int64_t>(idx.size()), t.loss_sum / static_cast<double>(t.seen),
                   t.correct / static_cast<double>(t.seen));
  }
  return t;
}

// "Balanced" weights n / (k * n_c) (King & Zeng 2001; scikit-learn).
torch::Tensor balanced_class_weights(const std::vector<int64_t>& counts, int64_t total) {
  const auto k = static_cast<int64_t>(counts.size());
  std::vector<float> w(counts.size(), 0.0f);
  for (size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > 0) w[c] = static_cast<float>(total) / static_cast<float>(k * counts[c]);
  return torch::tensor(w);
}

// Model of the run: fresh, or fine-tuned from a model file (new head for a
// new class set). Updates p.net to what was built.
EmotionNet build_model(TrainParams& p, const FaceDataset& train, ModelInfo& info) {
  const int k = static_cast<int>(train.classes.size());
  if (!p.init_model.empty()) {
    LoadedModel init = load_model_file(p.init_model);
    info = init.info;
    if (info.net.input_size != p.net.input_size)
      throw std::runtime_error(p.init_model + ": model input size " + std::to_string(info.net.input_size) +
                               " differs from --input-size " + std::to_string(p.net.input_size));
    if (init.info.classes != train.classes) init.net->reset_head(k);
    info.classes = train.classes;
    info.net = init.net->config();
    p.net = info.net;
    if (p.freeze_backbone) init.net->set_backbone_frozen(true);
    return init.net;
  }
  torch::manual_seed(p.seed);
  p.net.num_classes = k;
  p.net = resolve_config(p.net);
  info.net = p.net;
  info.classes = train.classes;
  info.norm = measure_norm(train);
  return make_emotion_net(p.net);
}

void refuse_resume_if_changed(const json& saved, const json& now, const char* key) {
  if (saved.at(key) != now.at(key))
    throw std::runtime_error(std::string("cannot resume: '") + key + "' was " + saved.at(key).dump() + " and is now " +
                             now.at(key).dump());
}

void check_resumable(const json& saved, const json& now) {
  for (const char* key : {"arch", "optimizer", "batch_size", "balance", "data", "seed", "max_per_class"})
    refuse_resume_if_changed(saved, now, key);
  // The checkpoint records the width the net was built with; 0 ("the
  // architecture's default", or the --init-model's width) is resolved only
  // when the net is built, and compared again then.
  if (now.at("width").get<int>() != 0) refuse_resume_if_changed(saved, now, "width");
  // Runs started before levelling existed were not levelled.
  if (saved.value("level_eyes", false) != now.value("level_eyes", false))
    throw std::runtime_error(std::string("cannot resume: the run was started ") +
                             (saved.value("level_eyes", false) ? "with" : "without") + " --level-eyes");
}

}  // namespace

TrainResult train_model(const TrainParams& p, const TrainObserver& obs) {
  LoadReport rep;
  DataSplits data = load_splits(p.data, p.net.input_size, rep);
  if (obs.on_warning) {
    for (const auto& prob : rep.problems) obs.on_warning(prob);
    if (!rep.problems.empty())
      obs.on_warning(std::to_string(rep.problems.size()) + " input problem(s) above; those items were skipped");
  }
  return train_model(p, data, obs);
}

TrainResult train_model(const TrainParams& p, const DataSplits& data, const EpochCallback& on_epoch) {
  TrainObserver obs;
  obs.on_epoch = [on_epoch](const EpochMetrics& m, bool) {
    if (on_epoch) on_epoch(m);
  };
  return train_model(p, data, obs);
}

TrainResult train_model(const TrainParams& p_in, const DataSplits& data_in, const TrainObserver& obs) {
  TrainParams p = p_in;
  validate(p);
  torch::set_num_threads(p.threads);
  const fs::path dir(p.out_dir);
  const fs::path ckdir = dir / "checkpoint";
  fs::create_directories(ckdir);

  // A run that cannot be resumed is refused before the data is prepared:
  // levelling both splits takes minutes.
  std::optional<CheckpointData> ck;
  if (p.resume && has_checkpoint(ckdir)) {
    ck = read_checkpoint(ckdir);
    check_resumable(ck->params, train_params_to_json(p));
  }

  ModelInfo info;
  PreprocessParams pp;
  pp.level_eyes = p.level_eyes;
  const FaceDataset train =
      levelled_for(p.max_per_class > 0 ? data_in.train.take_per_class(p.max_per_class) : data_in.train, pp, p.threads,
                   "levelling training faces");
  const FaceDataset val = levelled_for(data_in.val, pp, p.threads, "levelling validation faces");
  EmotionNet net = build_model(p, train, info);
  if (ck) refuse_resume_if_changed(ck->params, train_params_to_json(p), "width");
  info.level_eyes = p.level_eyes;
  net->train();

  std::vector<torch::Tensor> trainable;
  for (auto& t : net->parameters())
    if (t.requires_grad()) trainable.push_back(t);
  auto opt = make_optimizer(p.optimizer, trainable, p.lr, p.momentum, p.weight_decay);

  const std::vector<int64_t> counts = train.class_counts();
  const std::vector<int64_t> targets = resampled_counts(counts, p.balance, p.oversample_to);
  const torch::Tensor class_w = p.balance == "weights" ? balanced_class_weights(counts, train.size()) : torch::Tensor();
  const int64_t epoch_size = std::accumulate(targets.begin(), targets.end(), int64_t{0});
  // The class distribution the net learns under (rebalance.h adjusts for
  // it): the resampled counts, or uniform where class weights even it out.
  std::vector<double> class_prior(targets.size(), 1.0 / static_cast<double>(targets.size()));
  if (p.balance != "weights")
    for (size_t c = 0; c < targets.size(); ++c)
      class_prior[c] = static_cast<double>(targets[c]) / static_cast<double>(epoch_size);
  const int64_t steps_per_epoch = epoch_size / p.batch_size + ((epoch_size % p.batch_size) >= 2 ? 1 : 0);
  const int64_t total_steps = steps_per_epoch * p.epochs;

  const auto dups = find_duplicates(train, val);
  const size_t repeated = repeated_images(dups).size();
  if (!dups.empty() && obs.on_warning)
    obs.on_warning(std::to_string(repeated) + " validation image(s) also appear in the training split (first: " +
                   val.sources[static_cast<size_t>(dups[0].second)] + " = " +
                   train.sources[static_cast<size_t>(dups[0].first)] +
                   "); validation accuracy is inflated by them; `evaluate --unseen-by` leaves them out");
  json stats = {{"classes", train.classes},         {"train", counts},
                {"train_resampled", targets},       {"train_val_duplicates", repeated},
                {"val", val.class_counts()},        {"balance", p.balance},
                {"oversample_to", p.oversample_to}, {"train_source", data_in.train_source},
                {"val_source", data_in.val_source}};
  write_file_atomically((dir / "data_stats.json").string(), stats.dump(2));

  const std::string best_path = (dir / "best.mtm").string();
  RunState st;
  if (ck) {
    load_checkpoint_tensors(ckdir, ck->state.epochs_done, *net, *opt);
    st = ck->state;
    info.norm = ck->norm;
    // Carried between machines without best.mtm (scripts/training-checkpoint.sh):
    // the best is picked again from the next epoch on.
    if (!fs::exists(best_path)) st.best_val_acc = -1, st.best_epoch = 0;
  } else if (p.resume && obs.on_warning) {
    obs.on_warning("no checkpoint in " + ckdir.string() + "; starting a new run");
  }
  if (obs.on_start)
    obs.on_start({info.net.arch, info.net.width, net->parameter_count(), p.epochs, st.epochs_done, st, train.classes,
                  counts, targets, val.class_counts()});

  std::unique_ptr<Distiller> distiller;
  if (!p.distill.teacher.empty()) distiller = std::make_unique<Distiller>(p.distill, info);

  TrainResult res;
  for (int epoch = st.epochs_done + 1; epoch <= p.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const EpochTotals t = run_epoch(p, epoch, net, *opt, train, info.norm, targets, class_w, steps_per_epoch,
                                    total_steps, st.plateau_scale, distiller.get(), obs);
    const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const EvalResult ev = evaluate_dataset(net, info.norm, val);
    EpochMetrics m;
    m.epoch = epoch;
    m.lr = t.lr;
    m.train_loss = t.loss_sum / static_cast<double>(std::max<int64_t>(t.seen, 1));
    m.train_acc = t.correct / static_cast<double>(std::max<int64_t>(t.seen, 1));
    m.val_loss = ev.loss;
    m.val_acc = ev.metrics.accuracy;
    m.val_balanced_acc = ev.metrics.balanced_accuracy;
    m.val_macro_f1 = ev.metrics.macro_f1;
    m.images_per_s = static_cast<double>(t.seen) / train_secs;
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.history.push_back(m);
    st.train_seconds += m.seconds;
    st.epochs_done = epoch;

    const bool best = m.val_acc > st.best_val_acc;
    if (best) {
      st.best_val_acc = m.val_acc;
      st.best_epoch = epoch;
      st.bad_epochs = 0;
      st.plateau_bad = 0;
      info.meta = {{"trained_by", "moodtune train"},
                   {"train_data", tilde_home(data_in.train_source)},
                   {"val_data", tilde_home(data_in.val_source)},
                   {"epoch", epoch},
                   {"val_acc", m.val_acc},
                   {"val_balanced_acc", m.val_balanced_acc},
                   {"val_macro_f1", m.val_macro_f1},
                   {"train_seconds", st.train_seconds},
                   {"class_prior", class_prior},
                   {"params", train_params_for_model_file(p)}};
      save_model_file(best_path, net, info);
    } else {
      st.bad_epochs++;
      if (p.schedule == "plateau" && ++st.plateau_bad >= p.plateau_patience) {
        st.plateau_scale *= p.plateau_factor;
        st.plateau_bad = 0;
      }
    }
    save_checkpoint(ckdir, *net, *opt, {train_params_to_json(p), info.norm, train.classes, st});
    write_epoch_logs(dir, st.history);
    if (obs.on_epoch) obs.on_epoch(m, best);
    if (p.early_stop_patience > 0 && st.bad_epochs >= p.early_stop_patience) {
      res.stopped_early = true;
      break;
    }
  }
  res.history = st.history;
  res.best_epoch = st.best_epoch;
  res.best_val_acc = st.best_val_acc;
  res.best_model = best_path;
  res.train_seconds = st.train_seconds;
  return res;
}

}  // namespace moodtune
