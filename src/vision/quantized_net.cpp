#include "vision/quantized_net.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>

#include <cmath>
#include <stdexcept>

namespace moodtune {
namespace {
using PackedConv = c10::intrusive_ptr<ConvPackedParamsBase<2>>;

PackedConv pack_conv(const QuantizedConv& c) {
  static auto prepack = c10::Dispatcher::singleton()
                            .findSchemaOrThrow("quantized::conv2d_prepack", "")
                            .typed<PackedConv(at::Tensor, c10::optional<at::Tensor>, torch::List<int64_t>,
                                              torch::List<int64_t>, torch::List<int64_t>, int64_t)>();
  const int64_t out = c.weight.size(0);
  torch::Tensor q = at::_make_per_channel_quantized_tensor(c.weight, c.weight_scale.to(torch::kDouble),
                                                           torch::zeros({out}, torch::kLong), 0);
  return prepack.call(q, c.bias, torch::List<int64_t>({c.stride, c.stride}),
                      torch::List<int64_t>({c.padding, c.padding}), torch::List<int64_t>({1, 1}), 1);
}

at::Tensor add_relu(const at::Tensor& a, const at::Tensor& b, double scale, int64_t zero_point) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("quantized::add_relu", "")
                       .typed<at::Tensor(at::Tensor, at::Tensor, double, int64_t)>();
  return op.call(a, b, scale, zero_point);
}

void check_quant(const std::string& what, double scale, int64_t zero_point) {
  if (!std::isfinite(scale) || scale <= 0)
    throw std::invalid_argument(what + ": activation scale must be finite and positive");
  if (zero_point < 0 || zero_point > 255) throw std::invalid_argument(what + ": zero point must be in 0..255");
}

// Returns the conv's output channel count; `in` is the channel count it is fed.
int64_t check_conv(const std::string& what, const QuantizedConv& c, int64_t in) {
  if (!c.weight.defined() || c.weight.dim() != 4 || c.weight.scalar_type() != torch::kChar)
    throw std::invalid_argument(what + ": weight must be an int8 [out,in,k,k] tensor");
  const int64_t out = c.weight.size(0);
  if (c.weight.size(1) != in)
    throw std::invalid_argument(what + ": takes " + std::to_string(c.weight.size(1)) + " channels but is fed " +
                                std::to_string(in));
  if (!c.weight_scale.defined() || c.weight_scale.numel() != out || c.weight_scale.scalar_type() != torch::kFloat ||
      !(c.weight_scale > 0).all().item<bool>() || !torch::isfinite(c.weight_scale).all().item<bool>())
    throw std::invalid_argument(what + ": needs one finite positive float weight scale per output channel");
  if (!c.bias.defined() || c.bias.numel() != out || c.bias.scalar_type() != torch::kFloat ||
      !torch::isfinite(c.bias).all().item<bool>())
    throw std::invalid_argument(what + ": needs one finite float bias per output channel");
  if (c.stride < 1 || c.stride > 4 || c.padding < 0 || c.padding > 4)
    throw std::invalid_argument(what + ": stride or padding out of range");
  check_quant(what, c.out_scale, c.out_zero_point);
  return out;
}
}  // namespace

struct QuantizedNet::Packed {
  PackedConv stem;
  std::vector<PackedConv> conv1, conv2, down;  // down: null where a block has none
};

QuantizedNet::QuantizedNet(QuantizedLayers layers) : layers_(std::move(layers)) {
  if (engine() == "none") throw std::invalid_argument("this libtorch build has no int8 engine");
  check_quant("input", layers_.input_scale, layers_.input_zero_point);
  int64_t ch = check_conv("stem", layers_.stem, 1);
  for (size_t i = 0; i < layers_.blocks.size(); ++i) {
    const QuantizedBlock& b = layers_.blocks[i];
    const std::string name = "block " + std::to_string(i);
    const int64_t mid = check_conv(name + " conv1", b.conv1, ch);
    const int64_t out = check_conv(name + " conv2", b.conv2, mid);
    if (b.has_down) {
      if (check_conv(name + " down", b.down, ch) != out)
        throw std::invalid_argument(name + ": shortcut and main path differ in channels");
    } else if (out != ch || b.conv1.stride != 1) {
      throw std::invalid_argument(name + ": changes shape but has no shortcut convolution");
    }
    check_quant(name + " sum", b.out_scale, b.out_zero_point);
    ch = out;
  }
  const torch::Tensor& w = layers_.head_weight;
  if (!w.defined() || w.dim() != 2 || w.size(1) != ch || w.size(0) < 2 || w.scalar_type() != torch::kFloat)
    throw std::invalid_argument("head: weight must be float [classes," + std::to_string(ch) + "]");
  if (!layers_.head_bias.defined() || layers_.head_bias.numel() != w.size(0) ||
      layers_.head_bias.scalar_type() != torch::kFloat)
    throw std::invalid_argument("head: needs one float bias per class");
  try {
    give_back(pack());
  } catch (const c10::Error& e) {
    std::string msg = e.what();
    throw std::invalid_argument("the int8 engine rejects the weights: " + msg.substr(0, msg.find('\n')));
  }
}

QuantizedNet::~QuantizedNet() = default;

std::string QuantizedNet::engine() {
  switch (at::globalContext().qEngine()) {
    case at::QEngine::FBGEMM: return "fbgemm";
    case at::QEngine::QNNPACK: return "qnnpack";
    case at::QEngine::ONEDNN: return "onednn";
    default: return "none";
  }
}

std::unique_ptr<QuantizedNet::Packed> QuantizedNet::pack() const {
  auto p = std::make_unique<Packed>();
  p->stem = pack_conv(layers_.stem);
  for (const QuantizedBlock& b : layers_.blocks) {
    p->conv1.push_back(pack_conv(b.conv1));
    p->conv2.push_back(pack_conv(b.conv2));
    p->down.push_back(b.has_down ? pack_conv(b.down) : PackedConv());
  }
  return p;
}

std::unique_ptr<QuantizedNet::Packed> QuantizedNet::borrow() const {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      auto p = std::move(pool_.back());
      pool_.pop_back();
      return p;
    }
  }
  return pack();  // outside the lock: packing takes milliseconds
}

void QuantizedNet::give_back(std::unique_ptr<Packed> p) const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(p));
}

torch::Tensor QuantizedNet::features(const torch::Tensor& x) const {
  struct Lease {
    const QuantizedNet* net;
    std::unique_ptr<Packed> p;
    ~Lease() { net->give_back(std::move(p)); }
  } lease{this, borrow()};
  const Packed& p = *lease.p;
  at::Tensor q = at::quantize_per_tensor(x.contiguous(), layers_.input_scale, layers_.input_zero_point, torch::kQUInt8);
  q = p.stem->apply_relu(q, layers_.stem.out_scale, layers_.stem.out_zero_point);
  for (size_t i = 0; i < layers_.blocks.size(); ++i) {
    const QuantizedBlock& b = layers_.blocks[i];
    at::Tensor y = p.conv1[i]->apply_relu(q, b.conv1.out_scale, b.conv1.out_zero_point);
    y = p.conv2[i]->apply(y, b.conv2.out_scale, b.conv2.out_zero_point);
    at::Tensor skip = b.has_down ? p.down[i]->apply(q, b.down.out_scale, b.down.out_zero_point) : q;
    q = add_relu(y, skip, b.out_scale, b.out_zero_point);
  }
  return q.dequantize().mean({2, 3});
}

torch::Tensor QuantizedNet::head(const torch::Tensor& f) const {
  return torch::linear(f, layers_.head_weight, layers_.head_bias);
}

torch::Tensor QuantizedNet::forward(const torch::Tensor& x) const { return head(features(x)); }

int64_t QuantizedNet::parameter_count() const {
  auto conv = [](const QuantizedConv& c) { return c.weight.numel() + c.bias.numel(); };
  int64_t n = conv(layers_.stem) + layers_.head_weight.numel() + layers_.head_bias.numel();
  for (const QuantizedBlock& b : layers_.blocks) n += conv(b.conv1) + conv(b.conv2) + (b.has_down ? conv(b.down) : 0);
  return n;
}

namespace {
// Per conv: NAME_w (int8), NAME_ws (weight scales), NAME_b (bias), NAME_q =
// [stride, padding, out_scale, out_zero_point] as doubles. No dots in names:
// libtorch's archive reads "a.b.c" as a path and mixes up siblings.
void put_conv(std::vector<std::pair<std::string, torch::Tensor>>& out, const std::string& name,
              const QuantizedConv& c) {
  out.emplace_back(name + "_w", c.weight);
  out.emplace_back(name + "_ws", c.weight_scale);
  out.emplace_back(name + "_b", c.bias);
  out.emplace_back(name + "_q", torch::tensor({static_cast<double>(c.stride), static_cast<double>(c.padding),
                                               c.out_scale, static_cast<double>(c.out_zero_point)},
                                              torch::kDouble));
}

using Reader = std::function<bool(const std::string&, torch::Tensor&)>;
torch::Tensor need(const Reader& read, const std::string& name) {
  torch::Tensor t;
  if (!read(name, t) || !t.defined()) throw std::invalid_argument("int8 weights lack tensor '" + name + "'");
  return t;
}
std::vector<double> doubles(const Reader& read, const std::string& name, int64_t n) {
  torch::Tensor t = need(read, name);
  if (t.numel() != n || t.scalar_type() != torch::kDouble)
    throw std::invalid_argument("int8 tensor '" + name + "' must hold " + std::to_string(n) + " doubles");
  t = t.contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + n);
}
int64_t as_int(double v, const std::string& name) {
  if (!std::isfinite(v) || v != std::floor(v) || std::abs(v) > 1e6)
    throw std::invalid_argument("int8 tensor '" + name + "' holds a non-integer where an integer belongs");
  return static_cast<int64_t>(v);
}
QuantizedConv get_conv(const Reader& read, const std::string& name) {
  QuantizedConv c;
  c.weight = need(read, name + "_w");
  c.weight_scale = need(read, name + "_ws");
  c.bias = need(read, name + "_b");
  auto q = doubles(read, name + "_q", 4);
  c.stride = as_int(q[0], name + "_q");
  c.padding = as_int(q[1], name + "_q");
  c.out_scale = q[2];
  c.out_zero_point = as_int(q[3], name + "_q");
  return c;
}
}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> QuantizedNet::to_tensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  out.emplace_back("input_q",
                   torch::tensor({layers_.input_scale, static_cast<double>(layers_.input_zero_point)}, torch::kDouble));
  put_conv(out, "stem", layers_.stem);
  for (size_t i = 0; i < layers_.blocks.size(); ++i) {
    const QuantizedBlock& b = layers_.blocks[i];
    const std::string name = "block" + std::to_string(i);
    put_conv(out, name + "_conv1", b.conv1);
    put_conv(out, name + "_conv2", b.conv2);
    if (b.has_down) put_conv(out, name + "_down", b.down);
    out.emplace_back(name + "_sum_q",
                     torch::tensor({b.out_scale, static_cast<double>(b.out_zero_point)}, torch::kDouble));
  }
  out.emplace_back("head_weight", layers_.head_weight);
  out.emplace_back("head_bias", layers_.head_bias);
  return out;
}

QuantizedLayers QuantizedNet::layers_from(const Reader& read) {
  QuantizedLayers l;
  auto in = doubles(read, "input_q", 2);
  l.input_scale = in[0];
  l.input_zero_point = as_int(in[1], "input_q");
  l.stem = get_conv(read, "stem");
  for (int i = 0;; ++i) {
    const std::string name = "block" + std::to_string(i);
    torch::Tensor probe;
    if (!read(name + "_conv1_w", probe)) break;
    if (i >= 64) throw std::invalid_argument("int8 weights list more than 64 blocks");
    QuantizedBlock b;
    b.conv1 = get_conv(read, name + "_conv1");
    b.conv2 = get_conv(read, name + "_conv2");
    b.has_down = read(name + "_down_w", probe);
    if (b.has_down) b.down = get_conv(read, name + "_down");
    auto sum = doubles(read, name + "_sum_q", 2);
    b.out_scale = sum[0];
    b.out_zero_point = as_int(sum[1], name + "_sum_q");
    l.blocks.push_back(std::move(b));
  }
  l.head_weight = need(read, "head_weight");
  l.head_bias = need(read, "head_bias");
  return l;
}

}  // namespace moodtune
