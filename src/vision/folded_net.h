// folded_net.h — a trained float EmotionNet with each batch norm folded into
// the convolution before it, and a fast way to run it on CPUs.
//
//   moodtune::FoldedLayers f = moodtune::fold_net(*net);
//   auto fast = std::make_shared<const moodtune::OneDnnBackbone>(f);
//   torch::Tensor feats = fast->features(x);  // net->features(x), to float rounding
//
// Folding: conv(x, w*s) + (beta - mu*s) with s = gamma / sqrt(var + eps),
// exact for a net in eval mode. quantize.h turns these layers into int8;
// OneDnnBackbone runs them in float on oneDNN (libtorch's "mkldnn" kernels),
// with the weights reordered once and the activations kept in oneDNN's
// blocked layout from the first layer to the last.
//
// Why: at batch size 1 libtorch sends convolutions this small to its own
// im2col + BLAS kernel (its heuristic keeps oneDNN for inputs above about 20k
// values), which measured about 3x slower than this path per face
// (docs/edge.md, "Float inference on oneDNN"). Gradients do not flow through
// it: training and explanations use the net itself.
//
// Thread safety: FoldedLayers is plain data. An OneDnnBackbone never changes
// after construction; features() is const and safe from several threads at
// once (each call makes its own activations; the weights are only read).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace moodtune {

class EmotionNetImpl;

// One convolution with its batch norm folded in.
struct FoldedConv {
  torch::Tensor weight, bias;  // float [out,in,k,k] and [out]
  int64_t stride = 1, padding = 0;
  // The reference arithmetic (libtorch's own convolution, any layout).
  torch::Tensor operator()(const torch::Tensor& x) const;
};

// A residual block: relu(conv2(relu(conv1(x))) + skip), skip = down(x) or x.
struct FoldedBlock {
  FoldedConv conv1, conv2, down;
  bool has_down = false;
};

// The backbone (stem conv + ReLU, then the blocks) and a copy of the head.
struct FoldedLayers {
  FoldedConv stem;
  std::vector<FoldedBlock> blocks;
  torch::Tensor head_weight, head_bias;
};

// Folds a single float net: the result computes what the net computes in
// eval mode (from the batch norms' running statistics). Throws
// std::invalid_argument when the net is not laid out as emotion_net.h builds
// it (e.g. an ensemble or int8).
FoldedLayers fold_net(EmotionNetImpl& net);

// Whether this libtorch can run OneDnnBackbone (built with oneDNN).
bool onednn_available();

class OneDnnBackbone {
 public:
  // Reorders the weights for oneDNN once. Throws std::invalid_argument when
  // oneDNN is not available (see onednn_available()).
  explicit OneDnnBackbone(const FoldedLayers& layers);
  // Pooled features [N,F] of normalised faces x [N,1,S,S] (a dense float
  // tensor); no gradients.
  torch::Tensor features(const torch::Tensor& x) const;

 private:
  FoldedConv stem_;  // weights in oneDNN's layout
  std::vector<FoldedBlock> blocks_;
};

}  // namespace moodtune
