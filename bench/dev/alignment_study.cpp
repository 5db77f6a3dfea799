// moodtune-dev alignment: does levelling the eye line (dlib's 68-point
// landmarks, vision/face_aligner.h) before classification pay? Measured on
// FER2013's validation split (PublicTest crops, upscaled 4x for the
// landmark model) and on CK+ dev (the first frame and last three of each
// sequence, found by the Haar pipeline). Prints the heads' roll and the
// accuracy with and without levelling; docs/training.md has the figures.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/commands.h"
#include "dev/dev_commands.h"
#include "vision/face_aligner.h"
#include "vision/face_crop.h"
#include "vision/image_io.h"
#include "vision/model_file.h"
#include "vision/model_tools.h"
#include "vision/pipeline.h"
#include "vision/preprocess.h"

namespace moodtune::dev {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {
struct Sample {
  cv::Mat image;  // gray
  cv::Rect box;
  int label;
};

std::vector<std::string> sorted_entries(const fs::path& dir, bool folders) {
  std::vector<std::string> v;
  if (!fs::is_directory(dir)) throw std::invalid_argument(dir.string() + " not found");
  for (const auto& e : fs::directory_iterator(dir))
    if (folders ? e.is_directory() : e.is_regular_file()) v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

int class_index(const std::vector<std::string>& classes, const std::string& name) {
  const auto it = std::find(classes.begin(), classes.end(), name);
  return it == classes.end() ? -1 : static_cast<int>(it - classes.begin());
}

// FER2013 crops fill the picture: the face box is the whole (upscaled) crop.
std::vector<Sample> fer_samples(const std::string& val, const std::vector<std::string>& classes) {
  std::vector<Sample> out;
  for (size_t c = 0; c < classes.size(); ++c)
    for (const auto& f : sorted_entries(fs::path(val) / classes[c], false)) {
      cv::Mat big;
      cv::resize(to_gray(read_image(f)), big, cv::Size(192, 192), 0, 0, cv::INTER_CUBIC);
      out.push_back({big, cv::Rect(0, 0, 192, 192), static_cast<int>(c)});
    }
  return out;
}

std::vector<Sample> ckplus_samples(EmotionPipeline& pipe, const std::string& root,
                                   const std::vector<std::string>& classes, int& missed) {
  std::vector<Sample> out;
  for (const auto& seq : sorted_entries(fs::path(root) / "sequences", true)) {
    const std::string name = fs::path(seq).filename().string();
    const int peak = class_index(classes, name.substr(0, name.find('_')));
    const auto frames = sorted_entries(seq, false);
    if (frames.size() < 4 || peak < 0) continue;
    for (size_t i : {size_t{0}, frames.size() - 3, frames.size() - 2, frames.size() - 1}) {
      cv::Mat img = to_gray(read_image(frames[i]));
      const FrameResult r = pipe.process(img);
      if (r.faces.empty()) {
        ++missed;
        continue;
      }
      const auto big = std::max_element(r.faces.begin(), r.faces.end(),
                                        [](const auto& a, const auto& b) { return a.box.area() < b.box.area(); });
      out.push_back({img, big->box, i == 0 ? class_index(classes, "neutral") : peak});
    }
  }
  return out;
}
struct Outcome {
  double accuracy = 0, balanced = 0;
};

Outcome score(const EmotionClassifier& clf, const std::vector<cv::Mat>& faces, const std::vector<Sample>& s) {
  const size_t n = clf.classes().size();
  std::vector<double> hit(n, 0), total(n, 0);
  double correct = 0;
  for (size_t i = 0; i < faces.size(); i += 256) {
    const std::vector<cv::Mat> batch(faces.begin() + static_cast<std::ptrdiff_t>(i),
                                     faces.begin() + static_cast<std::ptrdiff_t>(std::min(faces.size(), i + 256)));
    const auto probs = clf.classify(batch);
    for (size_t k = 0; k < probs.size(); ++k) {
      const int want = s[i + k].label;
      const bool ok = static_cast<int>(std::max_element(probs[k].begin(), probs[k].end()) - probs[k].begin()) == want;
      correct += ok;
      hit[static_cast<size_t>(want)] += ok;
      total[static_cast<size_t>(want)] += 1;
    }
  }
  Outcome o;
  o.accuracy = correct / static_cast<double>(faces.size());
  int present = 0;
  for (size_t c = 0; c < n; ++c)
    if (total[c] > 0) o.balanced += hit[c] / total[c], ++present;
  o.balanced /= present;
  return o;
}

// Levelling as a model trained with --level-eyes would ask for it.
PreprocessParams levelling(PreprocessParams pp, double min_roll) {
  pp.level_eyes = true;
  pp.min_roll_deg = static_cast<float>(min_roll);
  return pp;
}

// The fast searches against the exhaustive one: how often the levelling
// they lead to differs by more than a degree, and what each costs per face.
json search_study(const FaceAligner& aligner, const std::vector<Sample>& s, double min_roll) {
  const PreprocessParams pp = levelling({}, min_roll);
  struct Variant {
    const char* name;
    RollParams p;
  };
  const std::vector<Variant> variants = {{"exhaustive", RollParams::exhaustive()},
                                         {"stop_when_agreed", RollParams{2, 1.5, true, 0.0}},
                                         {"upright_1deg", RollParams{2, 1.5, true, 1.0}},
                                         {"upright_2deg (default)", RollParams{}},
                                         {"upright_3deg", RollParams{2, 1.5, true, 3.0}}};
  std::vector<std::vector<double>> angle(variants.size()), ms(variants.size());
  for (const auto& x : s)
    for (size_t v = 0; v < variants.size(); ++v) {
      const auto t0 = std::chrono::steady_clock::now();
      const HeadRoll r = aligner.roll(x.image, x.box, variants[v].p);
      ms[v].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      angle[v].push_back(level_angle(r, pp));
    }
  json out = json::object();
  for (size_t v = 0; v < variants.size(); ++v) {
    int differ = 0, levelled = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      differ += std::abs(angle[v][i] - angle[0][i]) > 1.0;
      levelled += angle[v][i] != 0.0;
    }
    std::vector<double> t = ms[v];
    std::sort(t.begin(), t.end());
    out[variants[v].name] = {{"levelled", levelled},
                             {"differs_from_exhaustive_by_over_1deg", differ},
                             {"ms_median", t[t.size() / 2]},
                             {"ms_p90", t[t.size() * 9 / 10]}};
  }
  return out;
}

json study(const EmotionClassifier& clf, const FaceAligner& aligner, const std::vector<Sample>& s, float margin,
           double min_roll, const RollParams& search) {
  PreprocessParams pp = levelling(clf.preprocess(), min_roll);
  pp.margin = margin;
  std::vector<cv::Mat> plain, level;
  std::vector<double> rolls;
  int unreliable = 0;
  for (const auto& x : s) {
    const HeadRoll r = aligner.roll(x.image, x.box, search);
    unreliable += !r.reliable;
    rolls.push_back(r.reliable ? std::abs(r.deg) : 0.0);
    plain.push_back(crop_face(x.image, x.box, pp));
    level.push_back(crop_face(x.image, x.box, pp, level_angle(r, pp)));
  }
  std::vector<double> sorted = rolls;
  std::sort(sorted.begin(), sorted.end());
  auto share_over = [&](double deg) {
    return static_cast<double>(std::count_if(rolls.begin(), rolls.end(), [&](double r) { return r > deg; })) /
           static_cast<double>(rolls.size());
  };
  const Outcome a = score(clf, plain, s), b = score(clf, level, s);
  return {{"faces", s.size()},
          {"roll_unreliable", unreliable},
          {"roll_abs_median_deg", sorted[sorted.size() / 2]},
          {"roll_abs_p90_deg", sorted[sorted.size() * 9 / 10]},
          {"share_roll_over_5deg", share_over(5)},
          {"share_roll_over_10deg", share_over(10)},
          {"plain", {{"accuracy", a.accuracy}, {"balanced", a.balanced}}},
          {"levelled", {{"accuracy", b.accuracy}, {"balanced", b.balanced}}}};
}
}  // namespace

void add_alignment_study(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("alignment", "Eye-line levelling (dlib landmarks) before classification: does it pay?");
  struct Opts {
    std::string model = cli::default_model_path(), fer, ckplus, json_path, levelled_copy;
    double min_roll = 3.0;
    bool exhaustive = false, compare_searches = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--model", o->model, "Model file")->capture_default_str();
  cmd->add_option("--fer", o->fer, "FER2013 folder (its val/ split is used)");
  cmd->add_option("--ckplus", o->ckplus, "Unpacked CK+ dev folder (with sequences/)");
  cmd->add_option("--min-roll", o->min_roll, "Level only heads turned at least this many degrees")->capture_default_str();
  cmd->add_flag("--exhaustive", o->exhaustive, "Measure rolls with the exhaustive search (always two refits)");
  cmd->add_flag("--compare-searches", o->compare_searches,
                "Instead of accuracy: the fast roll searches against the exhaustive one (agreement, ms per face)");
  cmd->add_option("--json", o->json_path, "Write the figures as JSON");
  cmd->add_option("--levelled-copy", o->levelled_copy,
                  "Instead of the study: write a copy of --model that levels at inference (not trained so), to "
                  "measure inference-only levelling through the real commands");
  cmd->callback([o, &exit_code] {
    cli::guarded(exit_code, [&] {
      if (!o->levelled_copy.empty()) {
        refuse_overwriting_input(o->model, o->levelled_copy);
        LoadedModel m = load_model_file(o->model);
        m.info.level_eyes = true;
        m.info.meta["level_eyes_added"] = "at inference only, by moodtune-dev alignment --levelled-copy";
        save_model_file(o->levelled_copy, m.net, m.info);
        std::cout << o->levelled_copy << "\n";
        return 0;
      }
      if (o->fer.empty() && o->ckplus.empty()) throw std::invalid_argument("give --fer DIR, --ckplus DIR or both");
      auto clf = EmotionClassifier::load(o->model);
      FaceAligner aligner;
      const RollParams search = o->exhaustive ? RollParams::exhaustive() : RollParams{};
      json j = {{"model", o->model}, {"min_roll_deg", o->min_roll}, {"search", o->exhaustive ? "exhaustive" : "fast"}};
      auto measure = [&](const std::vector<Sample>& s, float margin) {
        return o->compare_searches ? search_study(aligner, s, o->min_roll)
                                   : study(*clf, aligner, s, margin, o->min_roll, search);
      };
      if (!o->fer.empty())
        j["fer2013_val"] = measure(fer_samples((fs::path(o->fer) / "val").string(), clf->classes()), 0.0f);
      if (!o->ckplus.empty()) {
        EmotionPipeline pipe(clf, {});
        int missed = 0;
        const auto s = ckplus_samples(pipe, o->ckplus, clf->classes(), missed);
        j["ckplus_dev"] = measure(s, pipe.margin());
        j["ckplus_dev"]["no_face"] = missed;
      }
      std::cout << j.dump(2) << "\n";
      cli::write_json(o->json_path, j);
      return 0;
    });
  });
}

}  // namespace moodtune::dev
