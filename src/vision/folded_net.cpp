#include "vision/folded_net.h"

#include <ATen/Context.h>

#include <stdexcept>

#include "vision/emotion_net.h"

namespace moodtune {
namespace {
namespace nn = torch::nn;

FoldedConv fold(const std::shared_ptr<nn::Module>& conv_m, const std::shared_ptr<nn::Module>& bn_m,
                const std::string& where) {
  auto* conv = conv_m ? conv_m->as<nn::Conv2dImpl>() : nullptr;
  auto* bn = bn_m ? bn_m->as<nn::BatchNorm2dImpl>() : nullptr;
  if (!conv || !bn) throw std::invalid_argument(where + ": expected a convolution followed by a batch norm");
  const auto& o = conv->options;
  if (o.groups() != 1 || (*o.dilation())[0] != 1 || (*o.stride())[0] != (*o.stride())[1] ||
      !c10::holds_alternative<torch::ExpandingArray<2>>(o.padding()))
    throw std::invalid_argument(where + ": only plain square convolutions can be folded");
  const auto& pad = c10::get<torch::ExpandingArray<2>>(o.padding());
  if ((*pad)[0] != (*pad)[1]) throw std::invalid_argument(where + ": uneven padding cannot be folded");
  torch::NoGradGuard no_grad;
  torch::Tensor s = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
  FoldedConv f;
  f.weight = (conv->weight * s.view({-1, 1, 1, 1})).contiguous();
  f.bias = bn->bias - bn->running_mean * s;
  if (conv->bias.defined()) f.bias = f.bias + conv->bias * s;
  f.stride = (*o.stride())[0];
  f.padding = (*pad)[0];
  return f;
}

std::vector<int64_t> pair(int64_t v) { return {v, v}; }

// The oneDNN twin of a folded convolution: its weight reordered once into
// the layout oneDNN's kernels read.
FoldedConv to_onednn(const FoldedConv& c) {
  FoldedConv m = c;
  m.weight = at::mkldnn_reorder_conv2d_weight(c.weight.to(torch::kFloat).contiguous().to_mkldnn(), pair(c.padding),
                                              pair(c.stride), pair(1), 1);
  m.bias = c.bias.to(torch::kFloat).contiguous();
  return m;
}

// x and the result in oneDNN's layout.
torch::Tensor run(const FoldedConv& m, const torch::Tensor& x) {
  return at::mkldnn_convolution(x, m.weight, m.bias, pair(m.padding), pair(m.stride), pair(1), 1);
}
}  // namespace

torch::Tensor FoldedConv::operator()(const torch::Tensor& x) const {
  return torch::conv2d(x, weight, bias, stride, padding);
}

FoldedLayers fold_net(EmotionNetImpl& net) {
  auto children = net.named_children();
  auto* seq = children.contains("backbone") ? children["backbone"]->as<nn::SequentialImpl>() : nullptr;
  auto* head = children.contains("head") ? children["head"]->as<nn::LinearImpl>() : nullptr;
  if (!seq || !head || seq->size() < 4) throw std::invalid_argument("the net's layout is not one that can be folded");
  FoldedLayers f;
  f.stem = fold(seq->ptr(0), seq->ptr(1), "stem");
  for (size_t i = 3; i < seq->size(); ++i) {
    auto parts = seq->ptr(i)->named_children();
    const std::string where = "block " + std::to_string(i - 3);
    auto part = [&](const char* name) { return parts.contains(name) ? parts[name] : nullptr; };
    FoldedBlock b;
    b.conv1 = fold(part("conv1"), part("bn1"), where + " conv1");
    b.conv2 = fold(part("conv2"), part("bn2"), where + " conv2");
    b.has_down = part("down") != nullptr;
    if (b.has_down) b.down = fold(part("down"), part("down_bn"), where + " shortcut");
    f.blocks.push_back(b);
  }
  f.head_weight = head->weight.detach().clone();
  f.head_bias = head->bias.detach().clone();
  return f;
}

bool onednn_available() { return at::hasMKLDNN(); }

OneDnnBackbone::OneDnnBackbone(const FoldedLayers& layers) {
  if (!onednn_available()) throw std::invalid_argument("this libtorch was built without oneDNN (mkldnn)");
  torch::NoGradGuard no_grad;
  stem_ = to_onednn(layers.stem);
  for (const FoldedBlock& b : layers.blocks) {
    FoldedBlock m;
    m.conv1 = to_onednn(b.conv1);
    m.conv2 = to_onednn(b.conv2);
    m.has_down = b.has_down;
    if (b.has_down) m.down = to_onednn(b.down);
    blocks_.push_back(std::move(m));
  }
}

torch::Tensor OneDnnBackbone::features(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  torch::Tensor a = run(stem_, x.to(torch::kFloat).contiguous().to_mkldnn()).relu_();
  for (const FoldedBlock& b : blocks_) {
    torch::Tensor y = run(b.conv1, a).relu_();
    y = run(b.conv2, y);
    y.add_(b.has_down ? run(b.down, a) : a);
    a = y.relu_();
  }
  return a.to_dense().mean({2, 3});
}

}  // namespace moodtune
