// Google Benchmark micro-benchmarks of the per-frame hot path. Run:
//   build/micro_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <opencv2/core/utility.hpp>

#include "vision/emotion_classifier.h"
#include "vision/face_detector.h"
#include "vision/preprocess.h"

using namespace moodtune;

namespace {
std::shared_ptr<const EmotionClassifier> shipped() {
  static auto clf = EmotionClassifier::load(std::string(MOODTUNE_SOURCE_DIR) + "/models/default.mtm");
  return clf;
}
cv::Mat frame() {
  cv::Mat f(480, 640, CV_8UC3);
  cv::randu(f, cv::Scalar::all(0), cv::Scalar::all(255));
  return f;
}
}  // namespace

static void BM_CropFace(benchmark::State& s) {
  cv::Mat f = frame();
  PreprocessParams pp;
  for (auto _ : s) benchmark::DoNotOptimize(crop_face(f, cv::Rect(200, 120, 200, 200), pp));
}
BENCHMARK(BM_CropFace);

static void BM_Classify(benchmark::State& s) {
  torch::set_num_threads(1);
  auto clf = shipped();
  std::vector<cv::Mat> faces(static_cast<size_t>(s.range(0)), cv::Mat(48, 48, CV_8UC1, cv::Scalar(128)));
  const bool tta = s.range(1) != 0;
  for (auto _ : s) benchmark::DoNotOptimize(clf->classify(faces, tta));
  s.SetItemsProcessed(s.iterations() * s.range(0));
}
BENCHMARK(BM_Classify)->Args({1, 0})->Args({1, 1})->Args({8, 0})->Args({32, 0})->Unit(benchmark::kMillisecond);

static void BM_DetectNoFace(benchmark::State& s) {
  cv::setNumThreads(1);
  DetectorParams dp;
  dp.kind = s.range(0) == 0 ? "haar" : (s.range(0) == 1 ? "lbp" : "dlib");
  auto det = make_face_detector(dp);
  cv::Mat f = frame();
  for (auto _ : s) benchmark::DoNotOptimize(det->detect(f));
  s.SetLabel(dp.kind);
}
BENCHMARK(BM_DetectNoFace)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
