// moodtune-dev explain-deletion: the faithfulness figures of docs/explain.md
// (deletion test per backbone stage, per class) and pictures of the mean
// heat map per class over the mean face, for correct and for mistaken
// predictions (aggregates: no single face is drawn).
#include <filesystem>
#include <iostream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dev/dev_commands.h"
#include "kit/explain_deletion.h"
#include "vision/image_io.h"

namespace moodtune::dev {
namespace {
// A tile averages at least this many faces, so no one person is shown.
constexpr int kMinGroup = 10;

// Mean face and mean heat of a group, drawn as one tile with a caption.
struct Group {
  cv::Mat face_sum, heat_sum;
  std::vector<double> prob_sum;
  int n = 0;
  void add(const cv::Mat& face, const cv::Mat& heat, const Probs& probs) {
    prob_sum.resize(probs.size());
    for (size_t i = 0; i < probs.size(); ++i) prob_sum[i] += probs[i];
    cv::Mat f;
    face.convertTo(f, CV_32F);
    if (n == 0) {
      face_sum = f.clone();
      heat_sum = heat.clone();
    } else {
      face_sum += f;
      heat_sum += heat;
    }
    ++n;
  }
  cv::Mat tile(const std::string& caption, const std::vector<std::string>& classes, int cls) const {
    constexpr int kScale = 4;
    cv::Mat face, big;
    face_sum.convertTo(face, CV_8U, 1.0 / n);
    Explanation e;
    e.class_index = cls;
    for (double p : prob_sum) e.probs.push_back(static_cast<float>(p / n));  // the mean
    e.heat = heat_sum / n;
    double hi = 0;
    cv::minMaxLoc(e.heat, nullptr, &hi);
    if (hi > 0) e.heat /= hi;
    cv::resize(face, big, face.size() * kScale, 0, 0, cv::INTER_CUBIC);
    cv::Mat drawn = draw_explanation(big, cv::Rect(0, 0, big.cols, big.rows), 0.0f, e, classes);
    cv::Mat out(drawn.rows + 22, drawn.cols, CV_8UC3, cv::Scalar(255, 255, 255));
    drawn.copyTo(out(cv::Rect(0, 0, drawn.cols, drawn.rows)));
    cv::putText(out, caption + " (" + std::to_string(n) + ")", cv::Point(3, out.rows - 6), cv::FONT_HERSHEY_SIMPLEX,
                0.42, cv::Scalar(0, 0, 0), 1);
    return out;
  }
};
}  // namespace

void add_explain_deletion(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("explain-deletion",
                                 "Faithfulness of the Grad-CAM maps (deletion test) and mean heat maps per class");
  struct Opts {
    std::string model = cli::default_model_path(), fer, out = "docs/explain";
    int per_class = 100, stage = ExplainParams{}.stages_from_end;
    std::string prefix = "mean-heat";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--model", o->model, cli::kModelOptionHelp)->capture_default_str();
  cmd->add_option("--fer", o->fer, "FER2013 folder (default: $MOODTUNE_FER_DIR or the cache)");
  cmd->add_option("--per-class", o->per_class, "Validation faces per class")->capture_default_str();
  cmd->add_option("--out", o->out, "Folder for the pictures")->capture_default_str();
  cmd->add_option("--stage", o->stage, "Backbone stage from the end for the pictures")->capture_default_str();
  cmd->add_option("--prefix", o->prefix, "File name prefix of the pictures")->capture_default_str();
  cmd->callback([o, &exit_code] {
    cli::guarded(exit_code, [&] {
      auto clf = EmotionClassifier::load(o->model);
      const auto& classes = clf->classes();
      const auto faces =
          kit::validation_faces(cli::fer_root(o->fer), o->per_class, clf->info().net.input_size, classes);
      nlohmann::json out = {{"model", o->model}, {"faces", faces.size()}};
      for (int stage : {0, 1}) {
        kit::DeletionParams p;
        p.stages_from_end = stage;
        const kit::DeletionReport r = kit::deletion_test(*clf, faces, p);
        nlohmann::json by_class;
        for (size_t c = 0; c < classes.size(); ++c)
          by_class[classes[c]] = {{"salient", r.salient_drop_by_class[c]}, {"random", r.random_drop_by_class[c]}};
        out["stages_from_end_" + std::to_string(stage)] = {{"salient_drop", r.salient_drop},
                                                           {"random_drop", r.random_drop},
                                                           {"salient_wins", r.salient_wins},
                                                           {"by_true_class", by_class}};
      }
      {
        // How far the two stages' maps are apart (mean absolute difference).
        double diff = 0;
        ExplainParams last, before;
        last.stages_from_end = 0;
        before.stages_from_end = 1;
        for (const auto& f : faces)
          diff +=
              cv::norm(explain_face(*clf, f.face, last).heat, explain_face(*clf, f.face, before).heat, cv::NORM_L1) /
              f.face.total();
        out["stage_maps_mean_abs_difference"] = diff / static_cast<double>(faces.size());
      }
      // Mean maps: per class when right, and per (true, predicted) pair when wrong.
      std::map<std::pair<int, int>, Group> groups;
      ExplainParams chosen;
      chosen.stages_from_end = o->stage;
      for (const auto& f : faces) {
        const Explanation e = explain_face(*clf, f.face, chosen);
        groups[{f.label, e.class_index}].add(f.face, e.heat, e.probs);
      }
      std::filesystem::create_directories(o->out);
      std::vector<cv::Mat> right, wrong;
      for (size_t c = 0; c < classes.size(); ++c) {
        const int ci = static_cast<int>(c);
        if (auto it = groups.find({ci, ci}); it != groups.end() && it->second.n >= kMinGroup)
          right.push_back(it->second.tile(classes[c] + " right", classes, ci));
        // The most frequent mistake for this class.
        const Group* worst = nullptr;
        int worst_pred = -1;
        for (const auto& [key, g] : groups)
          if (key.first == ci && key.second != ci && (!worst || g.n > worst->n)) {
            worst = &g;
            worst_pred = key.second;
          }
        if (worst && worst->n >= kMinGroup)
          wrong.push_back(
              worst->tile(classes[c] + " as " + classes[static_cast<size_t>(worst_pred)], classes, worst_pred));
      }
      out["pictures"] = nlohmann::json::array();
      for (const auto& [name, tiles] :
           {std::pair{o->prefix + "-right.png", right}, {o->prefix + "-mistaken.png", wrong}}) {
        if (tiles.empty()) continue;
        cv::Mat row;
        cv::hconcat(tiles, row);
        const std::string png = (std::filesystem::path(o->out) / name).string();
        write_image(png, row);
        out["pictures"].push_back(png);
      }
      std::cout << out.dump(2) << "\n";
      return 0;
    });
  });
}

}  // namespace moodtune::dev
