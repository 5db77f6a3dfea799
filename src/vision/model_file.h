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
// the EmotionNet parameters and buffers; for an int8 model, format version 2
// with "precision": "int8" in the header, the named tensors of
// QuantizedNet::to_tensors) | u32 CRC-32 of header+payload.
// Saving writes a temporary file and renames it, so a crash never leaves a
// half-written model under the final name. Loading checks magic, sizes and
// CRC before touching libtorch, so a truncated or foreign file gets a clear
// ModelFileError rather than a libtorch stack trace. ModelInfo and
// read_model_info: model_info.h (no libtorch).
#pragma once
#include <string>

#include "vision/emotion_net.h"
#include "vision/model_info.h"

namespace moodtune {

struct LoadedModel {
  ModelInfo info;
  EmotionNet net{nullptr};  // in eval mode
};

void save_model_file(const std::string& path, EmotionNet& net, const ModelInfo& info);
LoadedModel load_model_file(const std::string& path);

// One model file, or several separated by commas: an ensemble that averages
// their class probabilities (EmotionNetImpl's ensemble constructor). Members
// must agree on classes (names and order), input size and normalisation;
// info is the first member's, with meta["ensemble"] listing the files.
// Throws ModelFileError naming the file at fault.
LoadedModel load_models(const std::string& paths);

}  // namespace moodtune
