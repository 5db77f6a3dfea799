#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "common/progress.h"
#include "training/dataset.h"
#include "training/evaluate.h"
#include "vision/baseline_photos.h"
#include "vision/image_io.h"
#include "vision/model_file.h"
#include "vision/pipeline.h"

namespace moodtune::cli {
namespace fs = std::filesystem;

namespace {
struct Opts {
  std::string data, model = default_model_path(), json_path, baseline;
  DetectorParams det;
  bool detect = false, tta = false, lighting = false;
};

std::string confusion_text(const ClassMetrics& m, const std::vector<std::string>& classes) {
  std::string out = "confusion (rows = true, columns = predicted)\n          ";
  char buf[32];
  for (const auto& c : classes) {
    std::snprintf(buf, sizeof buf, "%8.8s", c.c_str());
    out += buf;
  }
  out += "\n";
  for (size_t r = 0; r < m.confusion.size(); ++r) {
    std::snprintf(buf, sizeof buf, "%-10.10s", classes[r].c_str());
    out += buf;
    for (int64_t v : m.confusion[r]) {
      std::snprintf(buf, sizeof buf, "%8lld", static_cast<long long>(v));
      out += buf;
    }
    out += "\n";
  }
  return out;
}

// --detect: whole photos; the largest face is classified, no face = wrong.
ClassMetrics evaluate_photos(const Opts& o, EmotionPipeline& pipe, const std::vector<std::string>& classes,
                             LoadReport& rep, int64_t& no_face) {
  Confusion cm(static_cast<int>(classes.size()));
  std::vector<int64_t> missed(classes.size(), 0);
  std::vector<std::pair<std::string, int64_t>> files;
  for (const auto& cdir : fs::directory_iterator(o.data)) {
    if (!cdir.is_directory()) continue;
    std::string name = cdir.path().filename().string();
    auto it = std::find(classes.begin(), classes.end(), name);
    if (it == classes.end()) {
      rep.problems.push_back(cdir.path().string() + ": unknown class '" + name + "'; folder skipped");
      continue;
    }
    for (const auto& f : fs::directory_iterator(cdir.path()))
      if (f.is_regular_file()) files.emplace_back(f.path().string(), it - classes.begin());
  }
  std::sort(files.begin(), files.end());
  ProgressBar bar("evaluate --detect", static_cast<int64_t>(files.size()));
  for (const auto& [path, label] : files) {
    try {
      FrameResult r = pipe.process(read_image(path));
      if (r.faces.empty()) {
        missed[static_cast<size_t>(label)]++;
        no_face++;
      } else {
        cm.add(label, r.faces[0].emotion);  // faces come largest first
      }
    } catch (const std::exception& e) {
      rep.problems.push_back(e.what());
    }
    bar.advance(1);
  }
  bar.finish();
  return cm.metrics(missed);
}
}  // namespace

void add_evaluate_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("evaluate", "Measure a model on a class-folder tree (DIR/<class>/*)");
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Folder with one sub-folder per class")->required();
  cmd->add_option("--model", o->model, kModelOptionHelp)->capture_default_str();
  cmd->add_flag("--detect", o->detect, "Run the face detector on whole photos first");
  add_detector_options(cmd, o->det);
  cmd->add_flag("--tta", o->tta, "Test-time augmentation: flip and small shifts averaged");
  cmd->add_flag("--lighting", o->lighting, "Also report accuracy under darkening, brightening, low contrast and gamma");
  cmd->add_option("--json", o->json_path, "Write the metrics as JSON to this file");
  add_baseline_option(cmd, o->baseline);
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      if (!fs::is_directory(o->data)) throw std::runtime_error(o->data + ": not a folder");
      auto clf = EmotionClassifier::load(o->model);
      const auto& classes = clf->classes();
      LoadReport rep;
      ClassMetrics m;
      int64_t no_face = 0;
      std::vector<LightingResult> lighting;
      // With --baseline, the same faces are measured without it too.
      ClassMetrics plain;
      int baseline_photos = 0;
      // A pipeline (its detector) only where photos are searched for faces.
      std::optional<EmotionPipeline> pipe;
      if (o->detect || !o->baseline.empty()) {
        PipelineParams pp;
        pp.detector = o->det;
        pp.tta = o->tta;
        pipe.emplace(clf, pp);
      }
      Baseline baseline;
      if (!o->baseline.empty()) {
        BaselineChecks checks;
        checks.crops = !o->detect;
        baseline = baseline_from_images(*pipe, o->baseline, checks);
        baseline_photos = baseline.faces;
      }
      if (o->detect) {
        if (baseline_photos > 0) {
          plain = evaluate_photos(*o, *pipe, classes, rep, no_face);
          pipe->set_baseline(baseline);
          no_face = 0;
          rep.problems.clear();
        }
        m = evaluate_photos(*o, *pipe, classes, rep, no_face);
      } else {
        FaceDataset data = load_folder(o->data, classes, clf->info().net.input_size, rep);
        if (data.size() == 0) throw std::runtime_error(o->data + ": no images found in class folders");
        data = levelled_for(data, clf->preprocess());
        EmotionNet net = clf->model().net;
        EvalOptions eo;
        eo.tta = o->tta;
        eo.progress = true;
        if (baseline_photos > 0) {
          plain = evaluate_dataset(net, clf->info().norm, data, eo).metrics;
          eo.baseline = baseline;
        }
        m = evaluate_dataset(net, clf->info().norm, data, eo).metrics;
        if (o->lighting) lighting = lighting_robustness(net, clf->info().norm, data, o->tta);
      }
      for (const auto& p : rep.problems) std::cerr << "warning: " << p << "\n";
      if (m.n == 0) throw std::runtime_error(o->data + ": no images could be evaluated");
      std::cout << m.table(classes) << confusion_text(m, classes);
      if (o->detect) std::cout << "no face found in " << no_face << " of " << m.n << " images (counted as wrong)\n";
      nlohmann::json j = m.to_json(classes);
      j["no_face"] = no_face;
      j["model"] = o->model;
      j["data"] = o->data;
      j["tta"] = o->tta;
      j["detect"] = o->detect;
      j["problems"] = rep.problems;
      if (baseline_photos > 0) {
        const CalibrationParams cp;
        std::printf(
            "calibrated to %d baseline photo(s): accuracy %.4f (without: %.4f), balanced %.4f (without: %.4f)\n",
            baseline_photos, m.accuracy, plain.accuracy, m.balanced_accuracy, plain.balanced_accuracy);
        j["calibration"] = {{"baseline", o->baseline},
                            {"photos", baseline_photos},
                            {"method", cp.method},
                            {"strength", cp.strength},
                            {"uncalibrated", plain.to_json(classes)}};
      }
      if (!lighting.empty()) {
        std::cout << "lighting robustness (accuracy, drop in points)\n";
        j["lighting"] = nlohmann::json::array();
        for (const auto& l : lighting) {
          std::printf("  %-34s %.4f  %+.2f\n", l.condition.c_str(), l.accuracy, -l.drop * 100);
          j["lighting"].push_back({{"condition", l.condition}, {"accuracy", l.accuracy}, {"drop", l.drop}});
        }
      }
      if (!o->json_path.empty()) {
        std::ofstream out(o->json_path);
        out << j.dump(2) << "\n";
        if (!out) throw std::runtime_error("cannot write " + o->json_path);
      }
      return rep.problems.empty() ? 0 : 1;
    });
  });
}

}  // namespace moodtune::cli
