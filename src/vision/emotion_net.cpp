#include "vision/emotion_net.h"

#include <algorithm>
#include <stdexcept>

#include "common/split.h"
#include "vision/folded_net.h"
#include "vision/quantized_net.h"

namespace moodtune {
namespace nn = torch::nn;

namespace {
struct ArchSpec {
  const char* name;
  int default_width;
  std::vector<int> blocks;  // BasicBlocks per stage
  int stem_stride = 2;      // 1: the stem keeps the input's resolution
  int stem_divisor = 1;     // stem channels = width / stem_divisor
};
const std::vector<ArchSpec>& arch_table() {
  // compact: 3 stages of 2 blocks, widths w,2w,4w,8w with a stride-2 stem
  // (48 -> 24 -> 12 -> 6 -> 3); designed to train at ~250+ images/s on 2 CPU
  // cores. wide: same depth, twice the channels by default.
  // compact-fullres: the same stages, but a stride-1 stem of w/2 channels
  // sees the 48 px face at full resolution and the first block halves it,
  // where compact's stem subsamples raw pixels with one 3x3 conv. It costs
  // about the same (fewer multiply-adds in the first stage, more memory
  // traffic at 48x48); the reason for it is in docs/training.md.
  static const std::vector<ArchSpec> t = {
      {"resnet-compact", 32, {1, 2, 2, 2}},
      {"resnet-wide", 64, {1, 2, 2, 2}},
      {"resnet-compact-fullres", 32, {1, 2, 2, 2}, 1, 2},
  };
  return t;
}
const ArchSpec& find_arch(const std::string& name) {
  for (const auto& a : arch_table())
    if (name == a.name) return a;
  throw std::invalid_argument("unknown architecture '" + name + "' (known: " + join(architecture_names(), ", ") + ")");
}
nn::Conv2d conv3x3(int in, int out, int stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}
}  // namespace

std::vector<std::string> architecture_names() {
  std::vector<std::string> names;
  for (const auto& a : arch_table()) names.emplace_back(a.name);
  return names;
}

NetConfig resolve_config(NetConfig cfg) {
  const ArchSpec& spec = find_arch(cfg.arch);
  if (cfg.width <= 0) cfg.width = spec.default_width;
  if (cfg.width > 512) throw std::invalid_argument("width " + std::to_string(cfg.width) + " is too large (max 512)");
  if (cfg.num_classes < 2) throw std::invalid_argument("a classifier needs at least 2 classes");
  if (cfg.input_size < 32 || cfg.input_size > 256) throw std::invalid_argument("input size must be in 32..256");
  return cfg;
}

BasicBlockImpl::BasicBlockImpl(int in_ch, int out_ch, int stride) {
  conv1 = register_module("conv1", conv3x3(in_ch, out_ch, stride));
  bn1 = register_module("bn1", nn::BatchNorm2d(out_ch));
  conv2 = register_module("conv2", conv3x3(out_ch, out_ch, 1));
  bn2 = register_module("bn2", nn::BatchNorm2d(out_ch));
  if (stride != 1 || in_ch != out_ch) {
    down = register_module("down", nn::Conv2d(nn::Conv2dOptions(in_ch, out_ch, 1).stride(stride).bias(false)));
    down_bn = register_module("down_bn", nn::BatchNorm2d(out_ch));
  }
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor y = torch::relu(bn1(conv1(x)));
  y = bn2(conv2(y));
  torch::Tensor skip = down ? down_bn(down(x)) : x;
  return torch::relu(y + skip);
}

EmotionNetImpl::EmotionNetImpl(const NetConfig& cfg_in) : cfg_(resolve_config(cfg_in)) {
  const ArchSpec& spec = find_arch(cfg_.arch);
  const int w = cfg_.width;
  const int stem_ch = std::max(1, w / spec.stem_divisor);
  nn::Sequential seq;
  seq->push_back(nn::Conv2d(nn::Conv2dOptions(1, stem_ch, 3).stride(spec.stem_stride).padding(1).bias(false)));
  seq->push_back(nn::BatchNorm2d(stem_ch));
  seq->push_back(nn::Functional(torch::relu));
  int in_ch = stem_ch;
  for (size_t stage = 0; stage < spec.blocks.size(); ++stage) {
    int out_ch = w << stage;
    for (int b = 0; b < spec.blocks[stage]; ++b) {
      // Each stage halves the resolution once; the first one only when the
      // stem did not.
      int stride = (b == 0 && (stage > 0 || spec.stem_stride == 1)) ? 2 : 1;
      seq->push_back(BasicBlock(in_ch, out_ch, stride));
      in_ch = out_ch;
    }
    stage_ends_.push_back(seq->size());
  }
  feature_dim_ = in_ch;
  backbone = register_module("backbone", seq);
  dropout = register_module("dropout", nn::Dropout(cfg_.dropout));
  head = register_module("head", nn::Linear(feature_dim_, cfg_.num_classes));
}

EmotionNetImpl::EmotionNetImpl(std::vector<std::shared_ptr<EmotionNetImpl>> members) {
  if (members.size() < 2) throw std::invalid_argument("an ensemble needs at least 2 members");
  cfg_ = members[0]->config();
  for (size_t i = 0; i < members.size(); ++i) {
    const NetConfig& c = members[i]->config();
    if (members[i]->is_ensemble())
      throw std::invalid_argument("ensemble member " + std::to_string(i + 1) + " is an ensemble itself");
    if (c.num_classes != cfg_.num_classes || c.input_size != cfg_.input_size)
      throw std::invalid_argument("ensemble member " + std::to_string(i + 1) + " has " + std::to_string(c.num_classes) +
                                  " classes at " + std::to_string(c.input_size) + " px, member 1 has " +
                                  std::to_string(cfg_.num_classes) + " at " + std::to_string(cfg_.input_size) + " px");
    members_.push_back(register_module("member" + std::to_string(i), members[i]));
  }
}

EmotionNetImpl::EmotionNetImpl(const NetConfig& cfg, std::shared_ptr<const QuantizedNet> int8)
    : cfg_(resolve_config(cfg)), int8_(std::move(int8)) {
  if (!int8_) throw std::invalid_argument("an int8 net needs its quantized layers");
  if (int8_->num_classes() != cfg_.num_classes)
    throw std::invalid_argument("int8 layers give " + std::to_string(int8_->num_classes()) + " classes, the config " +
                                std::to_string(cfg_.num_classes));
  // One dry run: layers that fit each other's channels can still disagree
  // on spatial sizes (a residual sum of 13x13 and 12x12).
  try {
    torch::NoGradGuard no_grad;
    int8_->forward(torch::zeros({1, 1, cfg_.input_size, cfg_.input_size}));
  } catch (const c10::Error& e) {
    std::string msg = e.what();
    throw std::invalid_argument("int8 layers do not run on " + std::to_string(cfg_.input_size) +
                                " px faces: " + msg.substr(0, msg.find('\n')));
  }
}

void EmotionNetImpl::require_float(const char* what) const {
  auto int8_member = [&] {
    for (const auto& m : members_)
      if (m->is_int8()) return true;
    return false;
  };
  if (is_int8() || int8_member())
    throw std::logic_error(std::string(what) +
                           " needs gradients, which an int8 model does not have: use the float model it was "
                           "quantized from (e.g. models/default.mtm)");
}

void EmotionNetImpl::require_single(const char* what) const {
  if (is_ensemble())
    throw std::logic_error(std::string(what) + " needs a single network, not an ensemble of " +
                           std::to_string(members_.size()) + ": fine-tune one of its members");
}

torch::Tensor EmotionNetImpl::features(torch::Tensor x) {
  require_single("features()");
  if (int8_) return int8_->features(x);
  if (fast_ && !is_training() && !torch::GradMode::is_enabled()) return fast_->features(x);
  x = backbone->forward(x);
  return x.mean({2, 3});
}

torch::Tensor EmotionNetImpl::forward(torch::Tensor x) {
  if (int8_) return int8_->forward(x);
  if (!is_ensemble()) return head(dropout(features(x)));
  // Probabilities, not logits, are averaged: members trained apart need not
  // share a logit scale.
  torch::Tensor sum = torch::softmax(members_[0]->forward(x), 1);
  for (size_t i = 1; i < members_.size(); ++i) sum = sum + torch::softmax(members_[i]->forward(x), 1);
  return torch::log((sum / static_cast<double>(members_.size())).clamp_min(1e-12));
}

torch::Tensor EmotionNetImpl::class_activation_map(torch::Tensor x, int64_t class_index, int stages_from_end) {
  if (class_index < 0 || class_index >= cfg_.num_classes)
    throw std::invalid_argument("class index " + std::to_string(class_index) + " out of range");
  require_float("an explanation (Grad-CAM)");
  // Each single net: the backbone up to the chosen stage without a graph,
  // then the rest with one, from feature maps that ask for gradients.
  std::vector<EmotionNetImpl*> nets;
  if (is_ensemble())
    for (auto& m : members_) nets.push_back(m.get());
  else
    nets.push_back(this);
  std::vector<torch::Tensor> maps;
  torch::Tensor score_sum;
  for (EmotionNetImpl* n : nets) {
    if (stages_from_end < 0 || stages_from_end >= static_cast<int>(n->stage_ends_.size()))
      throw std::invalid_argument("no backbone stage " + std::to_string(stages_from_end) + " from the end");
    const size_t split = n->stage_ends_[n->stage_ends_.size() - 1 - static_cast<size_t>(stages_from_end)];
    auto layer = n->backbone->begin();
    torch::Tensor a = x;
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < split; ++i) a = layer[static_cast<std::ptrdiff_t>(i)].forward(a);
    }
    a = a.detach().requires_grad_(true);
    torch::Tensor y = a;
    for (size_t i = split; i < n->backbone->size(); ++i) y = layer[static_cast<std::ptrdiff_t>(i)].forward(y);
    torch::Tensor logits = n->head(n->dropout(y.mean({2, 3})));
    maps.push_back(a);
    torch::Tensor p = is_ensemble() ? torch::softmax(logits, 1) : logits;
    score_sum = score_sum.defined() ? score_sum + p : p;
  }
  torch::Tensor score = is_ensemble() ? torch::log(score_sum / static_cast<double>(nets.size())) : score_sum;
  const auto grads = torch::autograd::grad({score.select(1, class_index).sum()}, maps);
  torch::Tensor cam;
  for (size_t i = 0; i < maps.size(); ++i) {
    // Channel weights: the mean gradient over positions (Grad-CAM).
    torch::Tensor w = grads[i].mean({2, 3}, true);
    torch::Tensor m = (w * maps[i].detach()).sum(1);
    cam = cam.defined() ? cam + m : m;
  }
  return cam;
}

void EmotionNetImpl::shift_logits(const torch::Tensor& delta) {
  require_single("shift_logits()");
  require_float("a logit shift");
  if (delta.dim() != 1 || delta.size(0) != cfg_.num_classes)
    throw std::invalid_argument("a logit shift needs one value per class (" + std::to_string(cfg_.num_classes) + ")");
  torch::NoGradGuard no_grad;
  head->bias.add_(delta.to(head->bias.dtype()));
}

void EmotionNetImpl::reset_head(int num_classes) {
  require_single("reset_head()");
  require_float("fine-tuning");
  cfg_.num_classes = num_classes;
  head = replace_module("head", nn::Linear(feature_dim_, num_classes));
}

void EmotionNetImpl::set_backbone_frozen(bool frozen) {
  require_single("set_backbone_frozen()");
  require_float("fine-tuning");
  frozen_ = frozen;
  for (auto& t : backbone->parameters()) t.set_requires_grad(!frozen);
  train(is_training());
}

void EmotionNetImpl::train(bool on) {
  if (on) require_float("training");
  if (on) fast_.reset();
  torch::nn::Module::train(on);
  if (frozen_ && backbone) backbone->eval();
}

bool EmotionNetImpl::enable_fast_inference() {
  if (is_ensemble()) {
    bool all = true;
    for (auto& m : members_) all = m->enable_fast_inference() && all;
    return all;
  }
  if (int8_ || !onednn_available()) return false;
  if (!fast_) fast_ = std::make_shared<const OneDnnBackbone>(fold_net(*this));
  return true;
}

bool EmotionNetImpl::fast_inference() const {
  if (!is_ensemble()) return fast_ != nullptr;
  for (const auto& m : members_)
    if (!m->fast_inference()) return false;
  return true;
}

int64_t EmotionNetImpl::parameter_count() const {
  if (int8_) return int8_->parameter_count();
  int64_t n = 0;
  if (is_ensemble()) {
    for (const auto& m : members_) n += m->parameter_count();
    return n;
  }
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

EmotionNet make_emotion_net(const NetConfig& cfg) { return EmotionNet(cfg); }

torch::Tensor predict_probs(EmotionNet& net, const torch::Tensor& x, bool tta) {
  if (!tta) return torch::softmax(net->forward(x), 1);
  // Shifts use edge replication so no artificial black border appears.
  auto shifted = [&](int dy, int dx) {
    torch::Tensor p = torch::replication_pad2d(x, {2, 2, 2, 2});
    const int64_t s = x.size(2);
    return p.narrow(2, 2 + dy, s).narrow(3, 2 + dx, s);
  };
  std::vector<torch::Tensor> views = {x, x.flip({3}), shifted(-2, 0), shifted(2, 0), shifted(0, -2), shifted(0, 2)};
  // One forward pass over all views: far cheaper than six at batch size 1.
  torch::Tensor probs = torch::softmax(net->forward(torch::cat(views, 0)), 1);
  return probs.view({static_cast<int64_t>(views.size()), x.size(0), -1}).mean(0);
}

}  // namespace moodtune
