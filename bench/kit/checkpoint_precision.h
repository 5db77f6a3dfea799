// checkpoint_precision.h — a training checkpoint's tensors stored at half
// precision and back, so that an unfinished run can be carried between
// machines as a smaller file (scripts/training-checkpoint.sh).
//
//   kit::convert_archive_precision("epoch-36.model.pt", "small.pt", torch::kFloat, torch::kHalf);
//   kit::convert_archive_precision("small.pt", "epoch-36.model.pt", torch::kHalf, torch::kFloat);
//
// Works on any libtorch archive (a module's or an optimiser's .pt, nested
// archives included): every tensor of dtype `from` becomes `to`, others are
// copied unchanged. Half precision keeps 11 significant bits: a resumed run
// starts from weights and momentum rounded by at most 2^-11 of their size,
// far below one SGD step. The output is written atomically; `in` and `out`
// may be the same path. Throws std::runtime_error naming a file it cannot
// read or write, or a tensor whose values `to` cannot hold (half ends at
// 65504), before anything is written. Thread-safe for distinct files.
#pragma once
#include <torch/torch.h>

#include <string>

namespace moodtune::kit {

// Returns how many tensors were converted.
int convert_archive_precision(const std::string& in, const std::string& out, torch::ScalarType from,
                              torch::ScalarType to);

}  // namespace moodtune::kit
