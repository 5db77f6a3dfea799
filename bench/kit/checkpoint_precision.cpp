#include "kit/checkpoint_precision.h"

#include <torch/script.h>

#include <stdexcept>

#include "common/atomic_file.h"

namespace moodtune::kit {

namespace {

// An archive is a TorchScript module: tensors are its attributes, nested
// archives (an optimiser's per-parameter state) its submodules.
int convert_module(torch::jit::Module m, torch::ScalarType from, torch::ScalarType to) {
  std::vector<std::pair<std::string, at::Tensor>> chosen;
  for (const auto& a : m.named_attributes(/*recurse=*/false))
    if (a.value.isTensor() && a.value.toTensor().scalar_type() == from) chosen.emplace_back(a.name, a.value.toTensor());
  for (const auto& [name, t] : chosen) {
    at::Tensor c = t.to(to);
    // Half's range ends at 65504: a value beyond it would resume as inf.
    if (!c.isfinite().all().item<bool>() && t.isfinite().all().item<bool>())
      throw std::runtime_error("tensor '" + name + "' holds values beyond " + std::string(c10::toString(to)) +
                               "'s range; carry this checkpoint at full precision");
    m.setattr(name, c);
  }
  int n = static_cast<int>(chosen.size());
  for (const auto& child : m.named_children()) n += convert_module(child.value, from, to);
  return n;
}

}  // namespace

int convert_archive_precision(const std::string& in, const std::string& out, torch::ScalarType from,
                              torch::ScalarType to) {
  torch::jit::Module m;
  try {
    m = torch::jit::load(in);
  } catch (const c10::Error& e) {
    throw std::runtime_error(in + ": not a readable libtorch archive (" + e.what_without_backtrace() + ")");
  }
  int n = 0;
  try {
    n = convert_module(m, from, to);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(in + ": " + e.what());
  }
  write_atomically(out, [&](const std::string& tmp) { m.save(tmp); });
  return n;
}

}  // namespace moodtune::kit
