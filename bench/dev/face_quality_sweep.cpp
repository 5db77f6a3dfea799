// moodtune-dev face-quality: where accuracy falls as faces get darker,
// flatter or blurrier, and the quality metric at that point: the
// thresholds of vision/face_quality.h (docs/quality.md).
#include <algorithm>
#include <iostream>
#include <opencv2/imgproc.hpp>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dev/dev_commands.h"
#include "kit/explain_deletion.h"
#include "vision/face_quality.h"

namespace moodtune::dev {
namespace {
struct Sweep {
  const char* name;
  const char* metric;
  std::vector<double> levels;
  cv::Mat (*apply)(const cv::Mat&, double);
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
}  // namespace

void add_face_quality_sweep(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("face-quality", "Accuracy against darkness, contrast loss and blur: the quality thresholds");
  struct Opts {
    std::string model = cli::default_model_path(), fer;
    int per_class = 100;
    double drop = 0.10;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--model", o->model, cli::kModelOptionHelp)->capture_default_str();
  cmd->add_option("--fer", o->fer, "FER2013 folder (default: $MOODTUNE_FER_DIR or the cache)");
  cmd->add_option("--per-class", o->per_class, "Validation faces per class")->capture_default_str();
  cmd->add_option("--drop", o->drop, "Accuracy fall that makes a frame unreliable")->capture_default_str();
  cmd->callback([o, &exit_code] {
    cli::guarded(exit_code, [&] {
      auto clf = EmotionClassifier::load(o->model);
      const auto faces =
          kit::validation_faces(cli::fer_root(o->fer), o->per_class, clf->info().net.input_size, clf->classes());
      const std::vector<Sweep> sweeps = {
          {"darker (pixels x f)", "brightness", {1, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08},
           [](const cv::Mat& f, double k) {
             cv::Mat o;
             f.convertTo(o, -1, k, 0);
             return o;
           }},
          {"flatter (contrast x f around the mean)", "contrast", {1, 0.6, 0.4, 0.25, 0.15, 0.1, 0.06},
           [](const cv::Mat& f, double k) {
             cv::Mat o;
             f.convertTo(o, -1, k, (1 - k) * cv::mean(f)[0]);
             return o;
           }},
          {"blurred (Gaussian sigma, px of the 48 px crop)", "sharpness", {0, 0.5, 0.8, 1.1, 1.5, 2, 3},
           [](const cv::Mat& f, double s) {
             if (s <= 0) return f.clone();
             cv::Mat o;
             cv::GaussianBlur(f, o, cv::Size(), s);
             return o;
           }},
      };
      nlohmann::json out = {{"model", o->model}, {"faces", faces.size()}};
      double clean = -1;
      for (const Sweep& s : sweeps) {
        nlohmann::json rows = nlohmann::json::array();
        double prev_metric = 0, threshold = -1;
        for (double level : s.levels) {
          std::vector<cv::Mat> batch;
          std::vector<double> metric;
          for (const auto& f : faces) {
            batch.push_back(s.apply(f.face, level));
            const FaceQuality q = measure_face_quality(batch.back());
            metric.push_back(std::string(s.metric) == "brightness" ? q.brightness
                             : std::string(s.metric) == "contrast" ? q.contrast
                                                                   : q.sharpness);
          }
          const auto probs = clf->classify(batch);
          int right = 0;
          for (size_t i = 0; i < faces.size(); ++i) right += top_class(probs[i]) == faces[i].label;
          const double acc = static_cast<double>(right) / static_cast<double>(faces.size());
          if (clean < 0) clean = acc;
          const double m = median(metric);
          if (threshold < 0 && clean - acc >= o->drop) threshold = (prev_metric + m) / 2;
          prev_metric = m;
          rows.push_back({{"level", level}, {"accuracy", acc}, {"median_" + std::string(s.metric), m}});
        }
        out["sweeps"].push_back({{"change", s.name},
                                 {"metric", s.metric},
                                 {"rows", rows},
                                 {"threshold", threshold < 0 ? nlohmann::json(nullptr) : nlohmann::json(threshold)}});
      }
      out["clean_accuracy"] = clean;
      std::cout << out.dump(2) << "\n";
      return 0;
    });
  });
}

}  // namespace moodtune::dev
