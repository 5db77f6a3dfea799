#include "training/folder_evaluation.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "common/progress.h"
#include "training/dataset.h"
#include "training/evaluate.h"
#include "vision/baseline_photos.h"
#include "vision/image_io.h"
#include "vision/pipeline.h"

namespace moodtune {
namespace fs = std::filesystem;

namespace {
// Whole photos: the largest face is classified, no face = wrong.
ClassMetrics evaluate_photos(const std::string& dir, EmotionPipeline& pipe, const std::vector<std::string>& classes,
                             std::vector<std::string>& problems, int64_t& no_face) {
  Confusion cm(static_cast<int>(classes.size()));
  std::vector<int64_t> missed(classes.size(), 0);
  std::vector<std::pair<std::string, int64_t>> files;
  for (const auto& cdir : fs::directory_iterator(dir)) {
    if (!cdir.is_directory()) continue;
    const std::string name = cdir.path().filename().string();
    auto it = std::find(classes.begin(), classes.end(), name);
    if (it == classes.end()) {
      problems.push_back(cdir.path().string() + ": unknown class '" + name + "'; folder skipped");
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
      problems.push_back(e.what());
    }
    bar.advance(1);
  }
  bar.finish();
  return cm.metrics(missed);
}
// "DIR: what went wrong", with the first skipped item's reason, which is
// usually why nothing was left.
std::runtime_error nothing_evaluated(const std::string& what, const std::vector<std::string>& problems) {
  std::string msg = what;
  if (!problems.empty())
    msg += " (" + std::to_string(problems.size()) + " skipped; the first: " + problems.front() + ")";
  return std::runtime_error(msg);
}

// `data` without the images whose pixels equal one in the folder `seen_dir`
// (a face may repeat there under another name, format or label). What could
// not be read there is reported: a face it hides may have been kept.
FaceDataset without_seen(const FaceDataset& data, const std::string& seen_dir, int input_size, int64_t& left_out,
                         std::vector<std::string>& problems) {
  if (!fs::is_directory(seen_dir)) throw std::runtime_error(seen_dir + ": not a folder (--unseen-by)");
  LoadReport rep;
  const FaceDataset seen = load_folder(seen_dir, data.classes, input_size, rep);
  if (seen.size() == 0)
    throw nothing_evaluated(seen_dir + ": no images found in class folders (--unseen-by)", rep.problems);
  problems.insert(problems.end(), rep.problems.begin(), rep.problems.end());
  const std::vector<int64_t> repeated = repeated_images(find_duplicates(seen, data));
  std::vector<int64_t> keep;
  for (int64_t j = 0; j < data.size(); ++j)
    if (!std::binary_search(repeated.begin(), repeated.end(), j)) keep.push_back(j);
  left_out = static_cast<int64_t>(repeated.size());
  return data.subset(keep);
}

// The face crops of `p.data` at `clf`'s input size, without the faces
// `p.unseen_by` holds (not yet levelled: that depends on the model).
FaceDataset crops_for(const EmotionClassifier& clf, const FolderEvaluationParams& p, std::vector<std::string>& problems,
                      int64_t& left_out) {
  LoadReport rep;
  FaceDataset data = load_folder(p.data, clf.classes(), clf.info().net.input_size, rep);
  problems = rep.problems;
  if (data.size() == 0) throw nothing_evaluated(p.data + ": no images found in class folders", problems);
  if (!p.unseen_by.empty()) {
    data = without_seen(data, p.unseen_by, clf.info().net.input_size, left_out, problems);
    if (data.size() == 0) throw std::runtime_error(p.data + ": every image is also in " + p.unseen_by);
  }
  return data;
}

// `p.against` on the same faces as `crops`, compared face by face with
// `predicted`. The crops are reused; only a model of another input size
// reads the folder again, keeping the same files (so `--unseen-by` is not
// worked out twice).
PairedComparison compare_with(const FolderEvaluationParams& p, const EmotionClassifier& mine, const FaceDataset& crops,
                              const std::vector<int64_t>& predicted) {
  auto other = EmotionClassifier::load(p.against);
  if (other->classes() != mine.classes())
    throw std::invalid_argument(p.against + ": its classes differ from " + p.model + "'s; they cannot be compared");
  const int size = other->info().net.input_size;
  FaceDataset same = crops;
  if (size != mine.info().net.input_size) {
    LoadReport ignored;  // reported when the folder was first read
    const FaceDataset all = load_folder(p.data, mine.classes(), size, ignored);
    std::map<std::string, int64_t> at;
    for (int64_t i = 0; i < all.size(); ++i) at[all.sources[static_cast<size_t>(i)]] = i;
    std::vector<int64_t> keep;
    for (const std::string& src : crops.sources) {
      const auto it = at.find(src);
      if (it == at.end()) throw std::runtime_error(src + ": changed while the two models were evaluated");
      keep.push_back(it->second);
    }
    same = all.subset(keep);
  }
  const FaceDataset data = levelled_for(same, other->preprocess());
  EmotionNet net = other->model().net;
  EvalOptions eo;
  eo.tta = p.tta;
  eo.progress = true;
  eo.label = "evaluate --against";
  const EvalResult theirs = evaluate_dataset(net, other->info().norm, data, eo);
  return compare_paired(crops.labels, theirs.predicted, predicted, static_cast<int>(mine.classes().size()));
}
}  // namespace

FolderEvaluation evaluate_folder(const FolderEvaluationParams& p) {
  if (!fs::is_directory(p.data)) throw std::runtime_error(p.data + ": not a folder");
  if (p.detect && p.lighting)  // rather than a flag that silently does nothing
    throw std::invalid_argument("lighting robustness is measured on face crops: run it without --detect");
  if (p.detect && !p.unseen_by.empty())  // photos are not compared pixel for pixel with training crops
    throw std::invalid_argument("--unseen-by compares face crops with training crops: run it without --detect");
  if (!p.against.empty() && (p.detect || !p.baseline.empty()))
    throw std::invalid_argument("--against compares two models on face crops: run it without --detect and --baseline");
  auto clf = EmotionClassifier::load(p.model);
  FolderEvaluation r;
  r.params = p;
  r.classes = clf->classes();
  // A pipeline (its detector) only where photos are searched for faces.
  std::optional<EmotionPipeline> pipe;
  if (p.detect || !p.baseline.empty()) {
    PipelineParams pp;
    pp.detector = p.detector;
    pp.tta = p.tta;
    pipe.emplace(clf, pp);
  }
  Baseline baseline;
  if (!p.baseline.empty()) {
    BaselineChecks checks;
    checks.crops = !p.detect;
    baseline = baseline_from_images(*pipe, p.baseline, checks);
    r.baseline_photos = baseline.faces;
  }
  // With a baseline, the same faces are measured without it first.
  if (p.detect) {
    if (r.baseline_photos > 0) {
      std::vector<std::string> ignored;  // reported by the calibrated pass below
      int64_t ignored_no_face = 0;
      r.uncalibrated = evaluate_photos(p.data, *pipe, r.classes, ignored, ignored_no_face);
      pipe->set_baseline(baseline);
    }
    r.metrics = evaluate_photos(p.data, *pipe, r.classes, r.problems, r.no_face);
  } else {
    const FaceDataset crops = crops_for(*clf, p, r.problems, r.seen_left_out);
    const FaceDataset data = levelled_for(crops, clf->preprocess());
    EmotionNet net = clf->model().net;
    EvalOptions eo;
    eo.tta = p.tta;
    eo.progress = true;
    if (r.baseline_photos > 0) {
      r.uncalibrated = evaluate_dataset(net, clf->info().norm, data, eo).metrics;
      eo.baseline = baseline;
    }
    const EvalResult mine = evaluate_dataset(net, clf->info().norm, data, eo);
    r.metrics = mine.metrics;
    if (p.lighting) r.lighting = lighting_robustness(net, clf->info().norm, data, p.tta);
    if (!p.against.empty()) r.comparison = compare_with(p, *clf, crops, mine.predicted);
  }
  if (r.metrics.n == 0) throw nothing_evaluated(p.data + ": no images could be evaluated", r.problems);
  return r;
}

nlohmann::json FolderEvaluation::to_json() const {
  nlohmann::json j = metrics.to_json(classes);
  j["no_face"] = no_face;
  j["model"] = params.model;
  j["data"] = params.data;
  j["tta"] = params.tta;
  j["detect"] = params.detect;
  j["problems"] = problems;
  if (comparison) {
    j["against"] = comparison->to_json(classes);
    j["against"]["model"] = params.against;  // A; B is this model
  }
  if (!params.unseen_by.empty()) j["unseen_by"] = {{"folder", params.unseen_by}, {"left_out", seen_left_out}};
  if (baseline_photos > 0) {
    const CalibrationParams cp;
    j["calibration"] = {{"baseline", params.baseline},
                        {"photos", baseline_photos},
                        {"method", cp.method},
                        {"strength", cp.strength},
                        {"uncalibrated", uncalibrated.to_json(classes)}};
  }
  if (!lighting.empty()) {
    j["lighting"] = nlohmann::json::array();
    for (const auto& l : lighting)
      j["lighting"].push_back({{"condition", l.condition}, {"accuracy", l.accuracy}, {"drop", l.drop}});
  }
  return j;
}

}  // namespace moodtune
