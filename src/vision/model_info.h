// model_info.h — what a model file says about its network, without the
// network: architecture, input size, normalisation and class names. No
// libtorch here, so the server, the service and most commands can describe
// and check models without compiling the tensor library's headers.
//
//   moodtune::ModelInfo info = moodtune::read_model_info("models/default.mtm");
//   std::cout << info.net.arch << " " << info.classes.size() << " classes\n";
//
// The weights themselves: model_file.h (load_model_file, LoadedModel).
// Plain values; read_model_info is safe to call from any thread.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "vision/preprocess.h"

namespace moodtune {

struct NetConfig {
  std::string arch = "resnet-compact";  // one of architecture_names()
  int width = 0;                        // channels of the first stage; 0 = the arch's default
  int num_classes = 7;
  int input_size = 48;  // square, grayscale
  double dropout = 0.3;
};

// Architecture version: bump when a change would make old weights load into
// a different function.
inline constexpr int kArchVersion = 1;

// Fills in defaults (width) and validates; throws std::invalid_argument with
// the list of known names when arch is unknown.
NetConfig resolve_config(NetConfig cfg);

// The architectures a NetConfig may name, in the order they were added.
std::vector<std::string> architecture_names();

struct ModelFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ModelInfo {
  NetConfig net;
  Normalisation norm;
  std::vector<std::string> classes;                // output order
  std::string precision = "float32";               // "float32" | "int8" (quantize.h)
  // Trained on faces levelled by their eye line (face_crop.h); every
  // consumer then levels its crops the same way.
  bool level_eyes = false;
  nlohmann::json meta = nlohmann::json::object();  // provenance: data, epochs, val metrics...
};

// How faces are prepared for this model: its input size, normalisation and
// eye-line levelling, with the default crop margin.
inline PreprocessParams preprocess_params(const ModelInfo& info) {
  PreprocessParams pp;
  pp.input_size = info.net.input_size;
  pp.norm = info.norm;
  pp.level_eyes = info.level_eyes;
  return pp;
}

// Version 1: float32 weights. Version 2: int8 weights (precision "int8"),
// which older builds then reject by version rather than misread. Float
// models are still written as version 1.
inline constexpr uint32_t kModelFormatVersion = 2;

// Header only (no weights): for listings and checks. Throws ModelFileError.
ModelInfo read_model_info(const std::string& path);

}  // namespace moodtune
