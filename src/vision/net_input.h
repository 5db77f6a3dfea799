// net_input.h — faces to the network's input tensor: the tensor half of the
// one preprocessing path (the image half, crop_face and friends, is
// preprocess.h and needs no libtorch).
//
//   cv::Mat face = moodtune::crop_face(frame, box, pp);        // preprocess.h
//   torch::Tensor x = moodtune::to_input({face}, pp.norm);     // [1,1,48,48]
//
// Pure functions, thread-safe.
#pragma once
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <vector>

#include "vision/preprocess.h"

namespace moodtune {

// Stacks gray input_size x input_size CV_8U faces into a normalised float
// tensor [N,1,S,S]. Throws std::invalid_argument for none or mixed sizes.
torch::Tensor to_input(const std::vector<cv::Mat>& faces, const Normalisation& norm);
// The same from a uint8 tensor [N,S,S] or [N,1,S,S] (training batches).
torch::Tensor normalise_u8(const torch::Tensor& u8, const Normalisation& norm);

}  // namespace moodtune
