#include "vision/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "vision/folded_net.h"
#include "vision/quantized_net.h"

namespace moodtune {
namespace {

// The values one activation takes on the calibration faces: its extremes and
// a sample for percentiles.
struct Observer {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::vector<torch::Tensor> sample;
  void see(const torch::Tensor& t) {
    lo = std::min(lo, t.min().item<double>());
    hi = std::max(hi, t.max().item<double>());
    torch::Tensor flat = t.reshape({-1});
    // An odd step, so that the sample does not line up with rows or channels.
    const int64_t step = (flat.numel() / 65536) | 1;
    sample.push_back(flat.slice(0, 0, flat.numel(), step).clone());
  }
  // uint8 scale and zero point covering [lo, hi] (which always includes 0,
  // so that a real zero, e.g. padding, is exact).
  std::pair<double, int64_t> qparams(const QuantizeParams& p) const {
    double a = lo, b = hi;
    if (p.observer == "percentile") {
      torch::Tensor all = torch::cat(sample).to(torch::kDouble);
      const double q = p.percentile / 100.0;
      b = torch::quantile(all, q).item<double>();
      a = torch::quantile(all, 1.0 - q).item<double>();
    }
    a = std::min(a, 0.0);
    b = std::max(b, 0.0);
    const double scale = std::max(b - a, 1e-8) / 255.0;
    const int64_t zp = std::clamp<int64_t>(std::llround(-a / scale), 0, 255);
    return {scale, zp};
  }
};

QuantizedConv quantize_conv(const FoldedConv& f, const Observer& out, const QuantizeParams& p) {
  QuantizedConv q;
  // Symmetric per output channel, +-127 (not -128) so that negation is exact.
  torch::Tensor amax = f.weight.abs().amax({1, 2, 3}).clamp_min(1e-12);
  q.weight_scale = (amax / 127.0).to(torch::kFloat);
  q.weight = torch::round(f.weight / q.weight_scale.view({-1, 1, 1, 1})).clamp(-127, 127).to(torch::kChar);
  q.bias = f.bias.to(torch::kFloat).contiguous();
  q.stride = f.stride;
  q.padding = f.padding;
  std::tie(q.out_scale, q.out_zero_point) = out.qparams(p);
  return q;
}
}  // namespace

QuantizeResult quantize_model(const LoadedModel& float_model, const torch::Tensor& calibration,
                              const QuantizeParams& params) {
  EmotionNet net = float_model.net;
  if (!net) throw std::invalid_argument("no model to quantize");
  if (net->is_ensemble())
    throw std::invalid_argument(
        "an ensemble cannot be quantized as one file: quantize each member and list the int8 files with commas");
  if (net->is_int8()) throw std::invalid_argument("the model is int8 already");
  if (params.observer != "minmax" && params.observer != "percentile")
    throw std::invalid_argument("unknown observer '" + params.observer + "' (known: minmax, percentile)");
  if (!(params.percentile > 50 && params.percentile <= 100))
    throw std::invalid_argument("percentile must be in (50, 100]");
  const int64_t s = float_model.info.net.input_size;
  if (!calibration.defined() || calibration.dim() != 4 || calibration.size(0) < 1 || calibration.size(1) != 1 ||
      calibration.size(2) != s || calibration.size(3) != s)
    throw std::invalid_argument("calibration faces must be a [N,1," + std::to_string(s) + "," + std::to_string(s) +
                                "] tensor with N >= 1");
  torch::NoGradGuard no_grad;
  net->eval();
  const FoldedLayers f = fold_net(*net);

  // Observe every activation that gets its own uint8 scale.
  Observer stem_out;
  std::vector<Observer> c1(f.blocks.size()), c2(f.blocks.size()), down(f.blocks.size()), sum(f.blocks.size());
  const int64_t n = calibration.size(0), batch = std::max(1, params.batch);
  for (int64_t at = 0; at < n; at += batch) {
    torch::Tensor a = torch::relu(f.stem(calibration.slice(0, at, std::min(n, at + batch))));
    stem_out.see(a);
    for (size_t i = 0; i < f.blocks.size(); ++i) {
      const FoldedBlock& b = f.blocks[i];
      torch::Tensor y = torch::relu(b.conv1(a));
      c1[i].see(y);
      y = b.conv2(y);
      c2[i].see(y);
      torch::Tensor skip = a;
      if (b.has_down) {
        skip = b.down(a);
        down[i].see(skip);
      }
      a = torch::relu(y + skip);
      sum[i].see(a);
    }
  }

  QuantizedLayers layers;
  const Normalisation& norm = float_model.info.norm;
  // Grey levels 0..255 map exactly onto uint8: x = (level/255 - mean) / std.
  layers.input_scale = 1.0 / (255.0 * norm.std);
  layers.input_zero_point = std::clamp<int64_t>(std::llround(255.0 * norm.mean), 0, 255);
  layers.stem = quantize_conv(f.stem, stem_out, params);
  for (size_t i = 0; i < f.blocks.size(); ++i) {
    const FoldedBlock& b = f.blocks[i];
    QuantizedBlock qb;
    qb.conv1 = quantize_conv(b.conv1, c1[i], params);
    qb.conv2 = quantize_conv(b.conv2, c2[i], params);
    qb.has_down = b.has_down;
    if (b.has_down) qb.down = quantize_conv(b.down, down[i], params);
    std::tie(qb.out_scale, qb.out_zero_point) = sum[i].qparams(params);
    layers.blocks.push_back(std::move(qb));
  }
  layers.head_weight = f.head_weight.to(torch::kFloat).contiguous();
  layers.head_bias = f.head_bias.to(torch::kFloat).contiguous();

  QuantizeResult r;
  r.model.info = float_model.info;
  r.model.info.precision = "int8";
  auto q = std::make_shared<const QuantizedNet>(std::move(layers));
  r.model.net = EmotionNet(float_model.info.net, q);
  r.model.net->eval();

  // How closely the int8 net follows the float one on the same faces.
  int64_t same = 0;
  for (int64_t at = 0; at < n; at += batch) {
    torch::Tensor x = calibration.slice(0, at, std::min(n, at + batch));
    torch::Tensor pf = torch::softmax(net->forward(x), 1), pq = torch::softmax(q->forward(x), 1);
    same += (pf.argmax(1) == pq.argmax(1)).sum().item<int64_t>();
    r.max_prob_diff = std::max(r.max_prob_diff, (pf - pq).abs().max().item<double>());
  }
  r.faces = n;
  r.agreement = static_cast<double>(same) / static_cast<double>(n);
  r.model.info.meta["quantization"] = {{"precision", "int8"},         {"engine", QuantizedNet::engine()},
                                       {"observer", params.observer}, {"percentile", params.percentile},
                                       {"calibration_faces", n},      {"calibration_agreement", r.agreement}};
  return r;
}

}  // namespace moodtune
