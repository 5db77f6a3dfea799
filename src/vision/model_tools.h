// model_tools.h — the file-to-file model conversions behind `moodtune
// quantize` and `moodtune rebalance`: read a model, convert it
// (quantize.h, rebalance.h), record where it came from, write a new file.
//
//   moodtune::QuantizeFileParams q;
//   q.model = "models/default.mtm";  q.out = "default-int8.mtm";
//   q.calibration = "fer2013/train";            // face crops, any depth
//   moodtune::QuantizeFileReport r = moodtune::quantize_model_file(q);
//
//   moodtune::RebalanceFileParams b;
//   b.model = "models/default.mtm";  b.out = "rebalanced.mtm";  b.rebalance.strength = 0.5;
//   moodtune::rebalance_model_file(b);
//
// Each call reads and writes only its own files; safe from any thread.
// Errors throw std::invalid_argument (or what loading a model throws) with
// what to do, and leave nothing at `out`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vision/quantize.h"
#include "vision/rebalance.h"

namespace moodtune {

struct QuantizeFileParams {
  std::string model;        // one float model (not an ensemble, not int8)
  std::string out;          // a new file, not `model`
  std::string calibration;  // folder of face crops (any depth); "": the training data the model names
  int images = 1000;        // calibration faces, spread evenly over the sorted files
  QuantizeParams quantize;
};

struct QuantizeFileReport {
  std::string calibration;              // the folder used
  int64_t faces = 0;                    // calibration faces used
  std::vector<std::string> unreadable;  // calibration files skipped, with why
  double agreement = 0;                 // share of calibration faces with the float model's top emotion
  uintmax_t model_bytes = 0, out_bytes = 0;
};

QuantizeFileReport quantize_model_file(const QuantizeFileParams& p);

struct RebalanceFileParams {
  std::string model, out;  // `out`: a new file, not `model`
  RebalanceParams rebalance;
};

void rebalance_model_file(const RebalanceFileParams& p);

// Throws std::invalid_argument when `out` is the file `model` (a conversion
// must not overwrite its input).
void refuse_overwriting_input(const std::string& model, const std::string& out);

}  // namespace moodtune
