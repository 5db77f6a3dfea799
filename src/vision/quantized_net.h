// quantized_net.h — an int8 copy of one trained EmotionNet, for fast CPU
// inference (weak machines, many streams).
//
//   moodtune::QuantizedLayers layers = ...;            // quantize.h makes them
//   auto q = std::make_shared<const moodtune::QuantizedNet>(std::move(layers));
//   torch::Tensor logits = q->forward(x);             // x: [N,1,S,S] normalised floats
//
// What it holds: every convolution with its batch norm folded in, weights as
// int8 per output channel (symmetric), the activations between layers as
// uint8 per tensor with scales fixed at quantization time from calibration
// faces (static quantization), and the linear head in float (7 x 256: too
// small to matter). Residual additions run in int8 (quantized::add_relu).
// The arithmetic is libtorch's quantized operators on whichever engine it
// offers (oneDNN or QNNPACK in Debian's build; FBGEMM is not compiled in).
//
// Thread safety: forward() is const and safe from several threads at once on
// one shared net. libtorch's packed weights cache engine state on first use,
// so each concurrent caller borrows its own packed replica from a small pool
// (created on demand, as many as there were callers at once); the int8
// weights themselves are shared and never written.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace moodtune {

// One convolution (batch norm folded in) in int8, with the quantization of
// its output.
struct QuantizedConv {
  torch::Tensor weight;        // int8 values [out,in,k,k] (plain kChar tensor)
  torch::Tensor weight_scale;  // float [out]: real weight = weight * scale
  torch::Tensor bias;          // float [out]
  int64_t stride = 1, padding = 0;
  double out_scale = 1.0;  // output activation: real = (q - zero_point) * scale
  int64_t out_zero_point = 0;
};

// A residual block: relu(conv2(relu(conv1(x))) + skip), skip = down(x) or x.
struct QuantizedBlock {
  QuantizedConv conv1, conv2;
  bool has_down = false;
  QuantizedConv down;
  double out_scale = 1.0;  // of the sum after the ReLU
  int64_t out_zero_point = 0;
};

// Everything an int8 net is made of; also what its model file stores.
struct QuantizedLayers {
  double input_scale = 1.0;  // how the normalised input is quantized
  int64_t input_zero_point = 0;
  QuantizedConv stem;  // followed by a ReLU
  std::vector<QuantizedBlock> blocks;
  torch::Tensor head_weight, head_bias;  // float linear head [C,F], [C]
};

class QuantizedNet {
 public:
  // Checks shapes and values (the chain of channel counts, finite positive
  // scales, zero points in 0..255) and packs the weights once to find out
  // early whether the engine takes them. Throws std::invalid_argument naming
  // the layer at fault.
  explicit QuantizedNet(QuantizedLayers layers);
  ~QuantizedNet();
  torch::Tensor forward(const torch::Tensor& x) const;   // logits [N,C]
  torch::Tensor features(const torch::Tensor& x) const;  // pooled features [N,F]
  torch::Tensor head(const torch::Tensor& features) const;  // features -> logits
  const QuantizedLayers& layers() const { return layers_; }
  int64_t parameter_count() const;
  int64_t num_classes() const { return layers_.head_weight.size(0); }

  // The tensors of layers() by name (for the model file) and back.
  std::vector<std::pair<std::string, torch::Tensor>> to_tensors() const;
  // Throws std::invalid_argument when a tensor is missing or malformed.
  static QuantizedLayers layers_from(const std::function<bool(const std::string&, torch::Tensor&)>& read);

  // The engine libtorch uses for the int8 operators ("onednn", "qnnpack"...).
  static std::string engine();

 private:
  struct Packed;  // one replica of the packed weights
  QuantizedLayers layers_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Packed>> pool_;  // replicas not in use
  std::unique_ptr<Packed> pack() const;
  std::unique_ptr<Packed> borrow() const;
  void give_back(std::unique_ptr<Packed> p) const;
};

}  // namespace moodtune
