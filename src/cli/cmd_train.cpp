#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "common/progress.h"
#include "common/split.h"
#include "training/report.h"
#include "training/trainer.h"

namespace moodtune::cli {

namespace {

// How `moodtune train` shows a run: a table at the start, a progress bar per
// epoch on stderr, one line per epoch on stdout.
TrainObserver console_observer() {
  auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
  auto epochs = std::make_shared<int>(0);
  TrainObserver o;
  o.on_warning = [](const std::string& w) { std::cerr << "warning: " << w << "\n"; };
  o.on_start = [epochs](const TrainStart& s) {
    *epochs = s.epochs;
    if (s.resumed_after > 0) {
      std::cout << "resuming after epoch " << s.resumed_after;
      if (s.state.best_epoch > 0)
        std::cout << " (best val acc " << s.state.best_val_acc << " at epoch " << s.state.best_epoch << ")";
      else
        std::cout << " (no best.mtm carried: the best is picked again from here)";
      std::cout << std::endl;
      return;
    }
    int64_t n_train = 0, n_val = 0;
    for (size_t c = 0; c < s.classes.size(); ++c) n_train += s.train_counts[c], n_val += s.val_counts[c];
    std::cout << "training " << s.arch << " (width " << s.width << ", " << s.parameters << " parameters) on " << n_train
              << " images, validating on " << n_val << "\n";
    std::cout << "class      train  resampled    val\n";
    for (size_t c = 0; c < s.classes.size(); ++c) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%-9s %6lld %10lld %6lld\n", s.classes[c].c_str(),
                    static_cast<long long>(s.train_counts[c]), static_cast<long long>(s.resampled_counts[c]),
                    static_cast<long long>(s.val_counts[c]));
      std::cout << buf;
    }
    std::cout << std::flush;
  };
  o.on_batch = [bar, epochs](int epoch, int64_t done, int64_t total, double loss, double acc) {
    if (!*bar)
      *bar = std::make_unique<ProgressBar>("epoch " + std::to_string(epoch) + "/" + std::to_string(*epochs), total);
    char status[96];
    std::snprintf(status, sizeof status, "loss %.3f acc %.3f", loss, acc);
    (*bar)->advance(done - (*bar)->done(), status);
  };
  o.on_epoch = [bar, epochs](const EpochMetrics& m, bool best) {
    if (*bar) (*bar)->finish();
    bar->reset();
    char line[256];
    std::snprintf(
        line, sizeof line,
        "epoch %3d/%d  lr %.4g  train loss %.4f acc %.4f  val loss %.4f acc %.4f (bal %.4f)  %.0f img/s  %s%s\n",
        m.epoch, *epochs, m.lr, m.train_loss, m.train_acc, m.val_loss, m.val_acc, m.val_balanced_acc, m.images_per_s,
        format_duration(m.seconds).c_str(), best ? "  *best" : "");
    std::cout << line << std::flush;
  };
  return o;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train an emotion model on a class-folder tree or a FER2013 CSV");
  auto p = std::make_shared<TrainParams>();
  cmd->add_option("--data", p->data, "Folder with train/ and val/ class folders, or a FER2013 CSV")->required();
  cmd->add_option("--out", p->out_dir, "Run folder (checkpoints, logs, best.mtm, report)")->capture_default_str();
  cmd->add_option("--arch", p->net.arch, "Architecture: " + join(architecture_names(), " | "))->capture_default_str();
  cmd->add_option("--width", p->net.width, "Channels of the first stage (0 = the architecture's default)");
  cmd->add_option("--dropout", p->net.dropout, "Dropout before the head")->capture_default_str();
  cmd->add_option("--epochs", p->epochs, "Epochs")->capture_default_str();
  cmd->add_option("--batch", p->batch_size, "Batch size")->capture_default_str();
  cmd->add_option("--optimizer", p->optimizer, "sgd (Nesterov) | adamw")->capture_default_str();
  cmd->add_option("--lr", p->lr, "Peak learning rate")->capture_default_str();
  cmd->add_option("--momentum", p->momentum, "SGD momentum")->capture_default_str();
  cmd->add_option("--weight-decay", p->weight_decay, "Weight decay")->capture_default_str();
  cmd->add_option("--schedule", p->schedule, "onecycle | cosine | plateau | constant")->capture_default_str();
  cmd->add_option("--warmup", p->warmup_fraction, "Warm-up share of all steps (onecycle, cosine)")
      ->capture_default_str();
  cmd->add_option("--label-smoothing", p->label_smoothing, "Label smoothing")->capture_default_str();
  cmd->add_option("--balance", p->balance, "Class imbalance: oversample | weights | none")->capture_default_str();
  cmd->add_option("--oversample-to", p->oversample_to, "Oversample minority classes up to this share of the largest")
      ->capture_default_str();
  cmd->add_option("--patience", p->early_stop_patience, "Early stopping patience in epochs (0 = off)")
      ->capture_default_str();
  cmd->add_option("--seed", p->seed, "Random seed (data order, augmentation, init)")->capture_default_str();
  cmd->add_option("--threads", p->threads, "Intra-op threads")->capture_default_str();
  cmd->add_option("--init", p->init_model, "Fine-tune from this model file (new head if the classes differ)");
  cmd->add_flag("--freeze-backbone", p->freeze_backbone, "With --init: train only the head");
  cmd->add_flag("--level-eyes", p->level_eyes,
                "Level every face by its eye line (dlib landmarks) in training and, recorded in the model, at inference");
  cmd->add_flag("--resume", p->resume, "Continue the run in --out from its last checkpoint");
  cmd->add_option("--max-per-class", p->max_per_class, "Use at most N training images per class (smoke runs)");
  cmd->add_flag("--no-augment{false}", p->augment.enabled, "Switch all augmentation off");
  cmd->add_flag("--no-flip{false}", p->augment.flip, "No horizontal flips");
  cmd->add_option("--rotate", p->augment.rotate_deg, "Max rotation in degrees")->capture_default_str();
  cmd->add_option("--scale", p->augment.scale, "Max zoom in/out")->capture_default_str();
  cmd->add_option("--shift", p->augment.shift, "Max shift, share of the side")->capture_default_str();
  cmd->add_option("--brightness", p->augment.brightness, "Max brightness change")->capture_default_str();
  cmd->add_option("--contrast", p->augment.contrast, "Max contrast change")->capture_default_str();
  cmd->add_option("--gamma", p->augment.gamma, "Max gamma change")->capture_default_str();
  cmd->add_option("--erase", p->augment.erase_prob, "Random erasing probability")->capture_default_str();
  auto mix = std::make_shared<std::string>("none");
  cmd->add_option("--mix", *mix, "Batch mixing: none | mixup | cutmix")->capture_default_str();
  cmd->add_option("--mix-alpha", p->mix.alpha, "Mixing weight ~ Beta(alpha, alpha)")->capture_default_str();
  cmd->add_option("--mix-prob", p->mix.prob, "Share of batches mixed")->capture_default_str();
  cmd->add_option("--teacher", p->distill.teacher,
                  "Distil from this model (or several, comma-separated: their ensemble): learn its soft targets too");
  cmd->add_option("--distill-weight", p->distill.weight, "With --teacher: share of the soft-target loss (0..1)")
      ->capture_default_str();
  cmd->add_option("--distill-temperature", p->distill.temperature, "With --teacher: softening temperature")
      ->capture_default_str();
  auto report_only = std::make_shared<bool>(false);
  cmd->add_flag("--report-only", *report_only, "Only (re)write the report of the run in --out");
  cmd->callback([p, mix, report_only, &exit_code] {
    guarded(exit_code, [&] {
      p->mix.mode = parse_mix_mode(*mix);
      LoadReport rep;
      DataSplits data = load_splits(p->data, p->net.input_size, rep);
      for (const auto& prob : rep.problems) std::cerr << "warning: " << prob << "\n";
      if (!rep.problems.empty())
        std::cerr << "warning: " << rep.problems.size() << " input problem(s); those items were skipped\n";
      if (!*report_only) {
        TrainResult r = train_model(*p, data, console_observer());
        if (r.stopped_early)
          std::cout << "early stop: no better validation accuracy for " << p->early_stop_patience << " epochs\n";
        std::cout << "best val accuracy " << r.best_val_acc << " at epoch " << r.best_epoch << " -> " << r.best_model
                  << "\n";
      }
      std::cout << "report: " << write_training_report(p->out_dir, data) << "/report.md\n";
      return rep.problems.empty() ? 0 : 1;
    });
  });
}

}  // namespace moodtune::cli
