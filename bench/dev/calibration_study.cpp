// moodtune-dev calibration: personal calibration methods compared on CK+
// dev (real people, each sequence starting at the person's neutral face),
// per person; the choice of vision/calibration.h (docs/calibration.md).
//
// Test frames: each sequence's first frame (neutral) and its last three
// (the named expression at its peak). A person's baseline: the first frames
// of their *other* sequences (leave one sequence out), so a neutral test
// frame is never its own baseline. The population reference: neutral faces
// of the FER2013 training split. `--against OTHER` compares two models on
// those faces, face by face (training/paired_comparison.h).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli/commands.h"
#include "dev/dev_commands.h"
#include "training/paired_comparison.h"
#include "vision/baseline_photos.h"
#include "vision/face_crop.h"
#include "vision/image_io.h"
#include "vision/pipeline.h"

namespace moodtune::dev {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {
struct Sequence {
  std::string name, subject, emotion;
  cv::Mat neutral;            // face crop of the first frame
  std::vector<cv::Mat> peak;  // face crops of the last three frames
};

cv::Mat face_of(EmotionPipeline& pipe, const std::string& file) {
  const cv::Mat img = read_image(file);
  const FrameResult r = pipe.process(img);
  if (r.faces.empty()) return {};
  const auto biggest = std::max_element(r.faces.begin(), r.faces.end(),
                                        [](const auto& a, const auto& b) { return a.box.area() < b.box.area(); });
  PreprocessParams pp = pipe.classifier().preprocess();
  pp.margin = pipe.margin();
  return crop_for_model(img, biggest->box, pp);
}

std::vector<Sequence> load_ckplus(EmotionPipeline& pipe, const std::string& root, int& missed) {
  std::vector<Sequence> out;
  const fs::path dir = fs::path(root) / "sequences";
  if (!fs::is_directory(dir)) throw std::invalid_argument(dir.string() + " not found: unpack ckplus-dev.tar.gz");
  std::vector<fs::path> seqs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) seqs.push_back(e.path());
  std::sort(seqs.begin(), seqs.end());
  for (const auto& s : seqs) {
    Sequence q;
    q.name = s.filename().string();
    const size_t a = q.name.find('_'), b = q.name.find('_', a + 1);
    q.emotion = q.name.substr(0, a);
    q.subject = q.name.substr(a + 1, b - a - 1);
    std::vector<std::string> frames;
    for (const auto& f : fs::directory_iterator(s)) frames.push_back(f.path().string());
    std::sort(frames.begin(), frames.end());
    if (frames.size() < 4) continue;
    q.neutral = face_of(pipe, frames.front());
    for (size_t i = frames.size() - 3; i < frames.size(); ++i) {
      cv::Mat f = face_of(pipe, frames[i]);
      if (f.empty())
        ++missed;
      else
        q.peak.push_back(f);
    }
    if (q.neutral.empty()) {
      ++missed;
      continue;
    }
    out.push_back(std::move(q));
  }
  return out;
}

struct Tally {
  std::map<std::string, std::pair<int, int>> per_class;  // class -> (right, total)
  std::map<std::string, std::pair<int, int>> per_subject;
  void add(const std::string& truth, const std::string& said, const std::string& subject) {
    auto& c = per_class[truth];
    auto& s = per_subject[subject];
    ++c.second, ++s.second;
    if (truth == said) ++c.first, ++s.first;
  }
  double accuracy() const {
    int r = 0, n = 0;
    for (const auto& [k, v] : per_class) r += v.first, n += v.second;
    return n ? static_cast<double>(r) / n : 0;
  }
  double balanced() const {
    double sum = 0;
    for (const auto& [k, v] : per_class) sum += static_cast<double>(v.first) / v.second;
    return per_class.empty() ? 0 : sum / static_cast<double>(per_class.size());
  }
  double recall(const std::string& c) const {
    auto it = per_class.find(c);
    return it == per_class.end() ? 0 : static_cast<double>(it->second.first) / it->second.second;
  }
};
// Everything one model needs for the study: its CK+ faces (cropped as it
// expects) and its population reference.
struct Study {
  std::shared_ptr<const EmotionClassifier> clf;
  std::vector<Sequence> seqs;
  int missed = 0;
  Baseline reference;
  size_t reference_faces = 0;
};

Study prepare(const std::string& model, const PipelineParams& pp, const std::string& ckplus, const std::string& fer,
              int reference_faces) {
  Study st;
  st.clf = EmotionClassifier::load(model);
  EmotionPipeline pipe(st.clf, pp);
  st.seqs = load_ckplus(pipe, ckplus, st.missed);
  std::vector<cv::Mat> ref_faces;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(fs::path(cli::fer_root(fer)) / "train" / "neutral"))
    files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i < files.size() && static_cast<int>(ref_faces.size()) < reference_faces; ++i)
    ref_faces.push_back(prepare_for_model(read_image(files[i]), st.clf->preprocess()));
  st.reference = make_baseline(*st.clf, ref_faces);
  st.reference_faces = ref_faces.size();
  return st;
}

// One calibration method over every test face: the tally, and the true and
// said class of each face in a fixed order (for a paired comparison).
struct MethodRun {
  Tally tally;
  std::vector<int64_t> truth, said, person;
};

MethodRun run_method(const Study& st, const CalibrationParams& m) {
  MethodRun r;
  const auto& classes = st.clf->classes();
  const auto index = [&](const std::string& c) {
    return static_cast<int64_t>(std::find(classes.begin(), classes.end(), c) - classes.begin());
  };
  std::map<std::string, int64_t> person_ids;
  for (const Sequence& q : st.seqs) {
    std::vector<cv::Mat> base;
    for (const Sequence& other : st.seqs)
      if (other.subject == q.subject && other.name != q.name) base.push_back(other.neutral);
    if (base.empty()) continue;  // a person with one sequence has no baseline apart from the test frame
    const Baseline person = make_baseline(*st.clf, base);
    std::vector<cv::Mat> test = {q.neutral};
    test.insert(test.end(), q.peak.begin(), q.peak.end());
    const auto probs = classify_calibrated(*st.clf, test, person, m, st.reference);
    for (size_t i = 0; i < probs.size(); ++i) {
      const std::string truth = i == 0 ? "neutral" : q.emotion;
      const int64_t said = top_class(probs[i]);
      r.tally.add(truth, classes[static_cast<size_t>(said)], q.subject);
      r.truth.push_back(index(truth));
      r.said.push_back(said);
      r.person.push_back(person_ids.emplace(q.subject, static_cast<int64_t>(person_ids.size())).first->second);
    }
  }
  return r;
}
// `other` on the same CK+ faces, without calibration and with the shipped
// method, face by face against the study's model (A = other, B = the model,
// whose runs of those methods are `mine`). A person's faces are not
// independent, so the intervals resample people.
template <typename Opts>
json compare_on_ckplus(const Study& study, const std::vector<std::pair<CalibrationParams, MethodRun>>& mine,
                       const std::string& other_model, const Opts& o) {
  const Study other = prepare(other_model, o.pipeline, o.ckplus, o.fer, o.reference_faces);
  if (other.clf->classes() != study.clf->classes())
    throw std::invalid_argument(other_model + ": its classes differ from " + o.model + "'s");
  json out = {{"model", other_model}, {"methods", json::array()}};
  for (const auto& [m, b] : mine) {
    const MethodRun a = run_method(other, m);
    if (a.truth != b.truth)  // a face one detector run found and the other did not
      throw std::runtime_error("the two models' CK+ faces differ; compare them with the same detector settings");
    PairedComparisonParams pp;
    pp.groups = b.person;  // a person's faces are resampled together
    const PairedComparison c =
        compare_paired(a.truth, a.said, b.said, static_cast<int>(study.clf->classes().size()), pp);
    std::printf("against %s (A) -> %s (B), %s %.2f:\n%s", other_model.c_str(), o.model.c_str(), m.method.c_str(),
                m.strength, c.table(study.clf->classes()).c_str());
    json j = c.to_json(study.clf->classes());
    j["method"] = m.method;
    j["strength"] = m.strength;
    out["methods"].push_back(j);
  }
  return out;
}
}  // namespace

void add_calibration_study(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("calibration", "Personal calibration methods compared on CK+ dev, per person");
  struct Opts {
    std::string model = cli::default_model_path(), ckplus, fer, json, against;
    int reference_faces = 1000;
    PipelineParams pipeline;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--ckplus", o->ckplus, "The unpacked ckplus-dev folder")->required();
  cmd->add_option("--model", o->model, cli::kModelOptionHelp)->capture_default_str();
  cmd->add_option("--fer", o->fer, "FER2013 folder, for the population's neutral reference");
  cmd->add_option("--reference-faces", o->reference_faces, "FER2013 training neutral faces for the reference")
      ->capture_default_str();
  cmd->add_option("--against", o->against,
                  "Another model: both compared face by face, without calibration and with prior 0.5");
  cmd->add_option("--json", o->json, "Write the results as JSON");
  cli::add_detector_options(cmd, o->pipeline.detector);
  cmd->callback([o, &exit_code] {
    cli::guarded(exit_code, [&] {
      const Study study = prepare(o->model, o->pipeline, o->ckplus, o->fer, o->reference_faces);
      const auto& clf = study.clf;
      const auto& seqs = study.seqs;
      const int missed = study.missed;
      const auto& classes = clf->classes();

      std::vector<CalibrationParams> methods = {{"none", 0}};
      for (float st : {0.25f, 0.5f, 0.75f, 1.0f}) methods.push_back({"prior", st});
      for (float st : {0.5f, 1.0f}) methods.push_back({"logit", st});
      // How often the baseline check would refuse a resting face, and a peak.
      int refused_neutral = 0, refused_peak = 0, peak_total = 0;
      for (const Sequence& q : seqs) {
        refused_neutral += !expression_problem(clf->classify({q.neutral})[0], classes).empty();
        for (const auto& pk : q.peak) refused_peak += !expression_problem(clf->classify({pk})[0], classes).empty();
        peak_total += static_cast<int>(q.peak.size());
      }
      json out = {{"model", o->model},
                  {"sequences", seqs.size()},
                  {"faces_missed", missed},
                  {"reference_faces", study.reference_faces},
                  {"baseline_check",
                   {{"neutral_refused", refused_neutral},
                    {"neutral", seqs.size()},
                    {"peaks_refused", refused_peak},
                    {"peaks", peak_total}}},
                  {"methods", json::array()}};
      std::printf(
          "%zu sequences (%d frames without a face); baseline check refuses %d of %zu first frames, %d of %d "
          "peaks\n%-12s %8s %8s %8s %8s\n",
          seqs.size(), missed, refused_neutral, seqs.size(), refused_peak, peak_total, "method", "acc", "bal acc",
          "neutral", "peaks");
      std::vector<std::pair<CalibrationParams, MethodRun>> compared;  // the runs --against is compared on
      for (const CalibrationParams& m : methods) {
        MethodRun run = run_method(study, m);
        const Tally& t = run.tally;
        int peaks_right = 0, peaks = 0;
        for (const auto& [c, v] : t.per_class)
          if (c != "neutral") peaks_right += v.first, peaks += v.second;
        json subj = json::object(), cls = json::object();
        for (const auto& [sb, v] : t.per_subject)
          subj[sb] = {{"accuracy", static_cast<double>(v.first) / v.second}, {"faces", v.second}};
        for (const auto& [c, v] : t.per_class)
          cls[c] = {{"recall", static_cast<double>(v.first) / v.second}, {"faces", v.second}};
        char name[32];
        std::snprintf(name, sizeof name, "%s %.2f", m.method.c_str(), m.strength);
        std::printf("%-12s %8.3f %8.3f %8.3f %8.3f  ", name, t.accuracy(), t.balanced(), t.recall("neutral"),
                    peaks ? static_cast<double>(peaks_right) / peaks : 0);
        for (const auto& [sb, v] : t.per_subject) std::printf(" %s %d/%d", sb.c_str(), v.first, v.second);
        std::printf("\n");
        out["methods"].push_back({{"method", m.method},
                                  {"strength", m.strength},
                                  {"accuracy", t.accuracy()},
                                  {"balanced_accuracy", t.balanced()},
                                  {"per_class", cls},
                                  {"per_subject", subj}});
        if (m.method == "none" || (m.method == "prior" && m.strength == 0.5f)) compared.emplace_back(m, std::move(run));
      }
      if (!o->against.empty()) out["against"] = compare_on_ckplus(study, compared, o->against, *o);
      cli::write_json(o->json, out);
      return 0;
    });
  });
}

}  // namespace moodtune::dev
