#include "training/report.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"
#include "common/progress.h"
#include "plot/plot.h"
#include "training/evaluate.h"
#include "training/trainer.h"
#include "vision/image_io.h"
#include "vision/model_file.h"

namespace moodtune {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {
json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error(p.string() + ": missing (has the run finished an epoch?)");
  return json::parse(in);
}
std::string pct(double v) {
  char b[16];
  std::snprintf(b, sizeof b, "%.2f%%", v * 100);
  return b;
}
}  // namespace

std::string write_class_distribution(const json& stats, const std::string& png) {
  auto classes = stats.at("classes").get<std::vector<std::string>>();
  BarChart chart{"Class distribution", "images", classes, {}};
  std::vector<std::pair<std::string, std::string>> cols = {
      {"train", "train"}, {"train_resampled", "train (resampled)"}, {"val", "val"}};
  std::string md = "| class | train | train after resampling (" + stats.value("balance", std::string("?")) +
                   ") | val |\n|---|---:|---:|---:|\n";
  for (const auto& [key, name] : cols) {
    Series s{name, {}, {}};
    for (auto v : stats.at(key)) s.y.push_back(v.get<double>());
    chart.groups.push_back(s);
  }
  for (size_t c = 0; c < classes.size(); ++c)
    md += "| " + classes[c] + " | " + stats["train"][c].dump() + " | " + stats["train_resampled"][c].dump() + " | " +
          stats["val"][c].dump() + " |\n";
  write_image(png, render(chart));
  return md;
}

std::string write_training_report(const std::string& run_dir, const DataSplits& data) {
  const fs::path dir(run_dir), out = dir / "report";
  fs::create_directories(out);
  json state = read_json(dir / "checkpoint" / "state.json");
  json stats = read_json(dir / "data_stats.json");
  std::vector<EpochMetrics> hist;
  for (const auto& e : state.at("state").at("history")) hist.push_back(e.get<EpochMetrics>());

  // Curves.
  Series tl{"train", {}, {}}, vl{"val", {}, {}}, ta{"train", {}, {}}, va{"val", {}, {}}, vb{"val balanced", {}, {}};
  for (const auto& e : hist) {
    double x = e.epoch;
    tl.x.push_back(x), tl.y.push_back(e.train_loss);
    vl.x.push_back(x), vl.y.push_back(e.val_loss);
    ta.x.push_back(x), ta.y.push_back(e.train_acc);
    va.x.push_back(x), va.y.push_back(e.val_acc);
    vb.x.push_back(x), vb.y.push_back(e.val_balanced_acc);
  }
  write_image((out / "curves_loss.png").string(),
              render(LineChart{"Loss (train includes label smoothing)", "epoch", "loss", {tl, vl}}));
  write_image((out / "curves_accuracy.png").string(), render(LineChart{"Accuracy", "epoch", "accuracy", {ta, va, vb}}));
  std::string dist_md = write_class_distribution(stats, (out / "class_distribution.png").string());

  // Best model on the validation split.
  const std::string model_path = (dir / "best.mtm").string();
  LoadedModel m = load_model_file(model_path);
  const FaceDataset val = levelled_for(data.val, preprocess_params(m.info));
  EvalOptions eo;
  eo.progress = true;
  eo.label = "report: val";
  EvalResult plain = evaluate_dataset(m.net, m.info.norm, val, eo);
  eo.tta = true;
  eo.label = "report: val+TTA";
  EvalResult tta = evaluate_dataset(m.net, m.info.norm, val, eo);
  write_image((out / "confusion.png").string(),
              render_confusion(plain.metrics.confusion, val.classes, "Validation confusion (best model)"));
  std::vector<LightingResult> light = lighting_robustness(m.net, m.info.norm, val, false);

  const json& params = state.at("params");
  std::ostringstream md;
  md << "# Training report: " << run_dir << "\n\n";
  md << "- Architecture: " << m.info.net.arch << " (width " << m.info.net.width << ")\n";
  md << "- Data: train `" << stats.value("train_source", "") << "`, validation `" << stats.value("val_source", "")
     << "`\n";
  md << "- Class imbalance handling: **" << params.value("balance", "?") << "**";
  if (params.value("balance", "") == "oversample")
    md << " (minority classes resampled up to " << params.value("oversample_to", 0.0)
       << " of the largest, training split only)";
  md << "\n- Optimiser " << params.value("optimizer", "?") << ", schedule " << params.value("schedule", "?")
     << ", peak lr " << params.value("lr", 0.0) << ", weight decay " << params.value("weight_decay", 0.0)
     << ", label smoothing " << params.value("label_smoothing", 0.0) << ", batch " << params.value("batch_size", 0)
     << ", seed " << params.value("seed", 0) << "\n";
  md << "- Epochs run: " << hist.size() << " of " << params.value("epochs", 0) << "; best epoch "
     << state["state"].value("best_epoch", 0) << "; training wall time "
     << format_duration(state["state"].value("train_seconds", 0.0)) << "\n\n";
  md << "## Validation metrics of the best model\n\n";
  md << "| | accuracy | balanced accuracy | macro F1 |\n|---|---:|---:|---:|\n";
  md << "| plain | " << pct(plain.metrics.accuracy) << " | " << pct(plain.metrics.balanced_accuracy) << " | "
     << pct(plain.metrics.macro_f1) << " |\n";
  md << "| TTA (flip + shifts) | " << pct(tta.metrics.accuracy) << " | " << pct(tta.metrics.balanced_accuracy) << " | "
     << pct(tta.metrics.macro_f1) << " |\n\n";
  md << "| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n";
  for (size_t c = 0; c < val.classes.size(); ++c) {
    const PerClass& pc = plain.metrics.per_class[c];
    char row[160];
    std::snprintf(row, sizeof row, "| %s | %.3f | %.3f | %.3f | %lld |\n", val.classes[c].c_str(), pc.precision,
                  pc.recall, pc.f1, static_cast<long long>(pc.support));
    md << row;
  }
  md << "\n![confusion](confusion.png)\n\n## Curves\n\n![loss](curves_loss.png)\n![accuracy](curves_accuracy.png)\n\n";
  md << "## Lighting robustness (validation split)\n\n| condition | accuracy | change |\n|---|---:|---:|\n";
  json lj = json::array();
  for (const auto& l : light) {
    char row[160];
    std::snprintf(row, sizeof row, "| %s | %s | %+.2f points |\n", l.condition.c_str(), pct(l.accuracy).c_str(),
                  -l.drop * 100);
    md << row;
    lj.push_back({{"condition", l.condition}, {"accuracy", l.accuracy}, {"drop", l.drop}});
  }
  md << "\n## Class distribution\n\n" << dist_md << "\n![distribution](class_distribution.png)\n";
  write_file_atomically((out / "report.md").string(), md.str());
  json rj = {{"model", model_path},
             {"val", plain.metrics.to_json(val.classes)},
             {"val_tta", tta.metrics.to_json(val.classes)},
             {"lighting", lj},
             {"params", params},
             {"epochs_run", hist.size()},
             {"best_epoch", state["state"]["best_epoch"]},
             {"train_seconds", state["state"]["train_seconds"]}};
  write_file_atomically((out / "report.json").string(), rj.dump(2) + "\n");
  return out.string();
}

}  // namespace moodtune
