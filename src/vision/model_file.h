// model_file.h — the moodtune model file: weights plus everything inference
// needs to use them correctly, in one file.
//
//   moodtune::ModelInfo info;               // arch, input size, norm, classes
//   moodtune::save_model_file("m.mtm", net, info);
//   moodtune::LoadedModel m = moodtune::load_model_file("m.mtm");
//   m.net->forward(x);                      // m.info.classes names the outputs
//   auto e = moodtune::load_models("a.mtm,b.mtm");  // an ensemble of both
//
// Layout (little-endian): "MOODTUNE-MODEL\n" | u32 format version | u64 header
// length | header JSON | u64 payload length | payload (libtorch archive of
// the EmotionNet parameters and buffers) | u32 CRC-32 of header+payload.
// Saving writes a temporary file and renames it, so a crash never leaves a
// half-written model under the final name. Loading checks magic, sizes and
// CRC before touching libtorch, so a truncated or foreign file gets a clear
// ModelFileError rather than a libtorch stack trace.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "vision/emotion_net.h"
#include "vision/preprocess.h"

namespace moodtune {

struct ModelFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ModelInfo {
  NetConfig net;
  Normalisation norm;
  std::vector<std::string> classes;                // output order
  nlohmann::json meta = nlohmann::json::object();  // provenance: data, epochs, val metrics...
};

struct LoadedModel {
  ModelInfo info;
  EmotionNet net{nullptr};  // in eval mode
};

inline constexpr uint32_t kModelFormatVersion = 1;

void save_model_file(const std::string& path, EmotionNet& net, const ModelInfo& info);
LoadedModel load_model_file(const std::string& path);

// One model file, or several separated by commas: an ensemble that averages
// their class probabilities (EmotionNetImpl's ensemble constructor). Members
// must agree on classes (names and order), input size and normalisation;
// info is the first member's, with meta["ensemble"] listing the files.
// Throws ModelFileError naming the file at fault.
LoadedModel load_models(const std::string& paths);

// Header only (no weights): for `moodtune info`-style listings and checks.
ModelInfo read_model_info(const std::string& path);

// Writes `bytes` to `path` through a temporary file + rename (same folder).
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace moodtune
