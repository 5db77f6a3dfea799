// emotion_net.h — the emotion CNN, defined once and shared by training and
// inference.
//
//   moodtune::NetConfig cfg;            // arch "resnet-compact", width 32
//   auto net = moodtune::make_emotion_net(cfg);
//   torch::Tensor logits = net->forward(torch::zeros({1, 1, 48, 48}));
//
// Architectures are looked up by name so that a model file can say which one
// it holds. Each is a small pre-activation-free ResNet for 1-channel 48x48
// faces: a 3x3 stem, three stages of BasicBlocks with stride-2 transitions,
// global average pooling, dropout and a linear head. The backbone and head
// are separate so that fine-tuning can replace or freeze them.
//
// An ensemble is an EmotionNet too (built from trained members, see
// load_models in model_file.h), and so is an int8 net (quantized_net.h,
// made by quantize.h): evaluation, TTA and inference need no second code
// path. An int8 net only infers: it has no gradients, so explanations,
// training and fine-tuning throw std::logic_error naming the float model to
// use instead. A float net used only for inference can run its backbone on
// oneDNN (enable_fast_inference(), folded_net.h): EmotionClassifier does.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "vision/model_info.h"

namespace moodtune {

class QuantizedNet;
class OneDnnBackbone;

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int in_ch, int out_ch, int stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, down{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, down_bn{nullptr};
};
TORCH_MODULE(BasicBlock);

class EmotionNetImpl : public torch::nn::Module {
 public:
  explicit EmotionNetImpl(const NetConfig& cfg);
  // An ensemble of trained nets with the same class count and input size:
  // forward() returns the log of their mean class probabilities, so
  // softmax(forward(x)) is that mean. Members run one after another, so a
  // forward pass costs the sum of theirs. Throws std::invalid_argument when
  // the members do not fit together.
  explicit EmotionNetImpl(std::vector<std::shared_ptr<EmotionNetImpl>> members);
  // An int8 net (quantized_net.h) described by cfg.
  EmotionNetImpl(const NetConfig& cfg, std::shared_ptr<const QuantizedNet> int8);
  torch::Tensor forward(torch::Tensor x);   // [N,1,S,S] normalised -> logits [N,C]
  torch::Tensor features(torch::Tensor x);  // pooled backbone features [N,F]
  // Grad-CAM (explain.h): for each input, a map of where the evidence for
  // `class_index` lies (positive: for it; the caller applies the ReLU), at the resolution of the backbone's
  // stage `stages_from_end` from the last (0: the last stage, 3x3 for 48 px
  // input; 1: the one before, 6x6), as [N,h,w]. The score is the logit for
  // one network and the log of the mean probability for an ensemble, whose
  // map is the sum of its members'. Gradients go to the feature maps only
  // (torch::autograd::grad), never into the weights: safe on shared weights.
  torch::Tensor class_activation_map(torch::Tensor x, int64_t class_index, int stages_from_end = 1);
  // Adds `delta` [C] to every output logit (the head's bias): a fixed
  // per-class offset such as a prior adjustment (rebalance.h). Single float
  // nets only; throws std::logic_error otherwise, std::invalid_argument for
  // a wrong length.
  void shift_logits(const torch::Tensor& delta);
  // Replaces the head with a fresh one for a new class count (transfer learning).
  void reset_head(int num_classes);
  // Transfer learning: the backbone stops learning (no gradients) and keeps
  // its batch-norm statistics (stays in eval mode even when train() is called).
  // features, reset_head and set_backbone_frozen throw std::logic_error on an
  // ensemble: fine-tune one of its members instead.
  void set_backbone_frozen(bool frozen);
  bool backbone_frozen() const { return frozen_; }
  void train(bool on = true) override;
  // Inference from here on runs the backbone on oneDNN with the batch norms
  // folded in (folded_net.h: about 3x faster per face at batch size 1, the
  // same results to float rounding) whenever the net is in eval mode and no
  // gradients are recorded; gradients (explanations) still use the layers
  // themselves. Call it once the weights are final: the folded copy does not
  // follow later changes to the backbone, so train(true) discards it. The
  // head is not copied, so shift_logits() still applies. Ensembles enable
  // their members; int8 nets and a libtorch without oneDNN are left as they
  // are. Returns whether the fast path is on.
  bool enable_fast_inference();
  bool fast_inference() const;
  const NetConfig& config() const { return cfg_; }  // an ensemble: its first member's
  int64_t parameter_count() const;
  bool is_ensemble() const { return !members_.empty(); }
  bool is_int8() const { return int8_ != nullptr; }
  const std::shared_ptr<const QuantizedNet>& int8() const { return int8_; }
  size_t member_count() const { return members_.empty() ? 1 : members_.size(); }

 private:
  NetConfig cfg_;
  torch::nn::Sequential backbone{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear head{nullptr};
  int feature_dim_ = 0;
  std::vector<size_t> stage_ends_;  // backbone index one past each stage's last block
  bool frozen_ = false;
  std::vector<std::shared_ptr<EmotionNetImpl>> members_;  // empty unless an ensemble
  std::shared_ptr<const QuantizedNet> int8_;              // set for an int8 net (no float layers then)
  std::shared_ptr<const OneDnnBackbone> fast_;            // set by enable_fast_inference()
  void require_single(const char* what) const;
  void require_float(const char* what) const;
};
TORCH_MODULE(EmotionNet);

EmotionNet make_emotion_net(const NetConfig& cfg);

// Probabilities [N,C] for normalised input x [N,1,S,S] (net in eval mode);
// with tta (test-time augmentation), the mean over the original, its mirror
// and four 2-pixel shifts.
torch::Tensor predict_probs(EmotionNet& net, const torch::Tensor& x, bool tta);

}  // namespace moodtune
