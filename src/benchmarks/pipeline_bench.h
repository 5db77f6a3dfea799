// pipeline_bench.h — `moodtune bench pipeline`: per-stage and end-to-end
// time per 640x480 frame with one face, for every detector, on one core;
// optionally classification alone by several models side by side.
//
//   moodtune::PipelineBenchParams p;
//   p.model = "models/default.mtm";  p.fer = "~/.cache/moodtune/fer2013";
//   nlohmann::json r = moodtune::bench_pipeline(p);   // prints its table to stdout as it goes
//   double ms = r["haar"]["median_ms"];
//
// Sets the process's torch and OpenCV thread counts to 1 (the target is
// stated per core): run it alone, not beside other work.
#pragma once
#include <cstdio>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "vision/face_detector.h"

namespace moodtune {

struct PipelineBenchParams {
  std::string model;                 // a model file or ensemble
  std::string image;                 // the frame; "": a FER2013 validation face composed into 640x480
  std::string fer;                   // FER2013 folder (val/<class>/), for the default frame
  int reps = 200;                    // timed repetitions per detector and mode (after 10 warm-up)
  DetectorParams detector;           // settings for every detector (its `kind` is ignored: each is measured)
  std::vector<std::string> compare;  // also time classification alone by these models against `model`
  std::FILE* table = stdout;         // where the table is printed as it goes; nullptr: nowhere
};

// Medians, p95 and spread per detector ("haar", "lbp", "dlib") and mode
// ("single", "video", "fine", "no_face"), and ratios between them. Throws
// std::runtime_error when the frame cannot be had or the model has no face
// to classify.
nlohmann::json bench_pipeline(const PipelineBenchParams& p);

// The benchmark frame: `image` if given, else the first FER2013 validation
// "happy" face under `fer` composed into a 640x480 frame. Throws
// std::runtime_error naming what to pass when neither is there.
cv::Mat benchmark_frame(const std::string& image, const std::string& fer);

}  // namespace moodtune
