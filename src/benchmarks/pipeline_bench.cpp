#include "benchmarks/pipeline_bench.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "benchmarks/bench_table.h"
#include "common/split.h"
#include "common/stats.h"
#include "vision/emotion_classifier.h"
#include "vision/face_crop.h"
#include "vision/face_tracker.h"
#include "vision/model_file.h"
#include "vision/pipeline.h"
#include "vision/test_frame.h"

namespace moodtune {
namespace fs = std::filesystem;
using namespace bench_detail;  // Clock, ms, table_row

namespace {
const char* engine(const EmotionClassifier& c) {
  const EmotionNet& net = c.model().net;
  return net->is_int8() ? "int8" : net->fast_inference() ? "onednn" : "libtorch";
}

// Classification alone (batch 1, one thread) of the same face by each model,
// in interleaved rounds so that the machine's noise falls on all alike:
// the float-vs-int8 comparison of docs/edge.md. Each float model is timed
// twice: on oneDNN as shipped, and on libtorch's own layers (the reference
// the fast path is checked against), labelled "[libtorch]".
nlohmann::json compare_classify(std::vector<std::string> models, const cv::Mat& frame, int reps, std::FILE* table) {
  std::vector<std::shared_ptr<const EmotionClassifier>> clfs;
  const size_t given = models.size();
  for (const auto& m : models) clfs.push_back(EmotionClassifier::load(m));
  for (size_t k = 0; k < given; ++k)
    if (clfs[k]->model().net->fast_inference()) {
      clfs.push_back(EmotionClassifier::load(models[k], ClassifierParams{false}));
      models.push_back(models[k]);
    }
  const FrameResult found = EmotionPipeline(clfs[0], {}).process(frame);
  if (found.faces.empty()) throw std::runtime_error("no face in the benchmark frame to classify");
  std::vector<cv::Mat> crops;
  for (const auto& c : clfs) crops.push_back(crop_face(frame, found.faces[0].box, c->preprocess()));
  std::vector<std::vector<double>> t(clfs.size());
  for (int i = 0; i < reps + 20; ++i)
    for (size_t k = 0; k < clfs.size(); ++k) {
      const auto a = Clock::now();
      clfs[k]->classify({crops[k]});
      if (i >= 20) t[k].push_back(ms(a, Clock::now()));
    }
  table_row(table, "\n%-40s %8s %9s %10s %10s %8s\n", "model (classify only)", "MB", "params", "median ms", "p95 ms",
            "speed-up");
  nlohmann::json out = nlohmann::json::array();
  const double base = summarise(t[0]).median;
  for (size_t k = 0; k < clfs.size(); ++k) {
    const Summary s = summarise(t[k]);
    double mb = 0;
    for (const std::string& f : split(models[k], ','))  // an ensemble: its files together
      mb += static_cast<double>(fs::file_size(f)) / 1e6;
    const int64_t params = clfs[k]->model().net->parameter_count();
    const std::string label = models[k] + (engine(*clfs[k]) == std::string("libtorch") ? " [libtorch]" : "");
    table_row(table, "%-40s %8.1f %9lld %10.3f %10.3f %7.2fx\n", label.c_str(), mb, static_cast<long long>(params),
              s.median, s.p95, base / s.median);
    nlohmann::json j = s.to_json();
    j.update({{"model", models[k]},
              {"precision", clfs[k]->info().precision},
              {"engine", engine(*clfs[k])},
              {"file_mb", mb},
              {"parameters", params},
              {"speedup_vs_first", base / s.median}});
    out.push_back(j);
  }
  return out;
}

}  // namespace

nlohmann::json bench_pipeline(const PipelineBenchParams& p) {
  const std::string& model = p.model;
  const int reps = p.reps;
  std::FILE* const table = p.table;
  // One core: batch-1 inference is fastest on one intra-op thread, and the
  // target is stated per core (parallelism goes across frames instead).
  torch::set_num_threads(1);
  cv::setNumThreads(1);
  auto clf = EmotionClassifier::load(model);
  cv::Mat frame = benchmark_frame(p.image, p.fer);
  nlohmann::json out = {
      {"frame", {{"width", frame.cols}, {"height", frame.rows}}}, {"reps", reps}, {"threads", 1}, {"model", model}};
  // A face that drifts a few pixels per frame, like a listener at a webcam.
  std::vector<cv::Mat> moving;
  for (int k = 0; k < 30; ++k) {
    cv::Mat m, shift = (cv::Mat_<double>(2, 3) << 1, 0, 12 * std::sin(k * 0.21), 0, 1, 6 * std::cos(k * 0.21));
    cv::warpAffine(frame, m, shift, frame.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    moving.push_back(m);
  }
  table_row(table, "%-6s %-7s %-10s %10s %10s %10s\n", "det", "mode", "stage", "median ms", "p95 ms", "stddev");
  // No face at all: the cascades' worst case (the coarse pass finds nothing,
  // so the fine scan runs too).
  const cv::Mat empty = compose_frame({}, frame.size(), 1).image;
  for (const std::string kind : {"haar", "lbp", "dlib"}) {
    // Modes: "single" (every frame scanned whole, as for photos, with the
    // defaults), "video" (the face moves a few pixels per frame; the
    // tracker's hints limit detection to where the face was, with a full
    // scan every 10th frame, as `watch` and `serve` run), and for the
    // cascades "fine" (coarse pass off: the baseline for "single") and
    // "no_face" (a frame without a face: coarse and fine scans both run).
    const bool cascade = kind != "dlib";
    std::vector<std::string> modes = {"single", "video"};
    if (cascade) modes.insert(modes.end(), {"fine", "no_face"});
    nlohmann::json dj;
    for (const std::string& mode : modes) {
      PipelineParams pp;
      pp.detector = p.detector;
      pp.detector.kind = kind;
      if (mode == "fine") pp.detector.coarse_face = 0;
      const bool video = mode == "video";
      EmotionPipeline pipe(clf, pp);
      FaceTracker tracker;
      std::vector<double> det, crop, cls, total;
      int64_t faces = 0, full_scans = 0;
      for (int i = 0; i < reps + 10; ++i) {
        const cv::Mat& f = video ? moving[static_cast<size_t>(i) % moving.size()] : mode == "no_face" ? empty : frame;
        FrameResult r = pipe.process(f, video ? tracker.search_hints() : std::vector<cv::Rect>{});
        if (video) track_faces(tracker, r);
        if (i < 10) continue;  // warm-up
        faces += static_cast<int64_t>(r.faces.size());
        full_scans += r.times.full_scan;
        det.push_back(r.times.detect_ms);
        crop.push_back(r.times.crop_ms);
        cls.push_back(r.times.classify_ms);
        total.push_back(r.times.total_ms);
      }
      nlohmann::json mj = summarise(total).to_json();
      mj["faces_per_frame"] = static_cast<double>(faces) / reps;
      mj["full_scan_share"] = static_cast<double>(full_scans) / reps;
      for (auto [name, v] : {std::pair{"detect", &det}, {"crop", &crop}, {"classify", &cls}, {"end_to_end", &total}}) {
        if (mode == "no_face" && name != std::string("detect") && name != std::string("end_to_end")) continue;
        Summary s = summarise(*v);
        mj[name] = s.to_json();
        table_row(table, "%-6s %-7s %-10s %10.3f %10.3f %10.3f\n", kind.c_str(), mode.c_str(), name, s.median, s.p95,
                  s.stddev);
      }
      if (mode == "single")
        dj.update(mj);  // single-frame figures at the top level, as before
      else
        dj[mode] = mj;
    }
    out[kind] = dj;
  }
  for (const char* k : {"haar", "lbp"})
    out[std::string(k) + "_single_vs_fine_median_ratio"] =
        out[k]["median_ms"].get<double>() / out[k]["fine"]["median_ms"].get<double>();
  for (const char* k : {"lbp", "dlib"})
    out[std::string(k) + "_vs_haar_median_ratio"] =
        out[k]["median_ms"].get<double>() / out["haar"]["median_ms"].get<double>();
  for (const char* k : {"haar", "lbp", "dlib"})
    out[std::string(k) + "_video_vs_single_median_ratio"] =
        out[k]["video"]["median_ms"].get<double>() / out[k]["median_ms"].get<double>();
  if (!p.compare.empty()) {
    std::vector<std::string> models = {model};
    models.insert(models.end(), p.compare.begin(), p.compare.end());
    out["classify_compared"] = compare_classify(models, frame, reps, table);
  }
  return out;
}

cv::Mat benchmark_frame(const std::string& image, const std::string& fer) {
  if (!image.empty()) {
    cv::Mat m = cv::imread(image);
    if (m.empty()) throw std::runtime_error(image + ": cannot read image");
    return m;
  }
  const fs::path face = fs::path(fer) / "val" / "happy";
  if (!fs::is_directory(face))
    throw std::runtime_error("no --image given and no FER2013 at " + fer +
                             " (run scripts/fer2013.sh or pass --fer DIR)");
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(face)) files.push_back(f.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    if (cv::Mat g = cv::imread(f.string(), cv::IMREAD_GRAYSCALE); !g.empty()) return compose_frame({g}).image;
  throw std::runtime_error("no readable face under " + face.string());
}

}  // namespace moodtune
