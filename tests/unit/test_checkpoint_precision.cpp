// A training checkpoint carried at half precision comes back as the float
// checkpoint the trainer resumes from, within half precision's rounding.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../test_support.h"
#include "kit/checkpoint_precision.h"
#include "small_nets.h"
#include "training/checkpoint.h"

using namespace moodtune;
namespace fs = std::filesystem;

namespace {

// A net and an SGD optimiser after one step: momentum buffers exist.
struct Trained {
  LoadedModel m = test::small_float_model();
  torch::optim::SGD opt{m.net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4)};
  Trained() {
    m.net->train();
    auto x = torch::randn({4, 1, m.info.net.input_size, m.info.net.input_size});
    auto loss = torch::nn::functional::cross_entropy(m.net->forward(x), torch::tensor({0, 3, 4, 6}));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
};

std::vector<at::Tensor> momentum(torch::optim::Optimizer& opt) {
  std::vector<at::Tensor> out;
  for (auto& group : opt.param_groups())
    for (auto& p : group.params()) {
      auto it = opt.state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (it != opt.state().end())
        out.push_back(static_cast<torch::optim::SGDParamState&>(*it->second).momentum_buffer());
    }
  return out;
}

void expect_close_as_float(const at::Tensor& back, const at::Tensor& original) {
  EXPECT_EQ(back.scalar_type(), torch::kFloat);
  // Half keeps 11 significant bits: relative error at most 2^-11 (normal
  // numbers); tiny values lose more, absolutely below 1e-7.
  const auto err = (back - original).abs();
  EXPECT_TRUE(torch::all(err <= original.abs() * (1.0 / 2048) + 1e-7).item<bool>());
}

}  // namespace

TEST(CheckpointPrecision, HalfAndBackRestoresAResumableFloatCheckpoint) {
  const fs::path dir = test::temp_dir("ckpt-half");
  Trained t;
  CheckpointData d;
  d.norm = t.m.info.norm;
  d.classes = t.m.info.classes;
  d.state.epochs_done = 3;
  save_checkpoint(dir, *t.m.net, t.opt, d);
  const fs::path model = dir / "epoch-3.model.pt", optim = dir / "epoch-3.optim.pt";
  const auto float_size = fs::file_size(model) + fs::file_size(optim);

  const int params = static_cast<int>(t.m.net->parameters().size());
  int floats = params;
  for (const auto& b : t.m.net->buffers()) floats += b.is_floating_point();
  EXPECT_EQ(kit::convert_archive_precision(model.string(), model.string(), torch::kFloat, torch::kHalf), floats);
  EXPECT_EQ(kit::convert_archive_precision(optim.string(), optim.string(), torch::kFloat, torch::kHalf), params);
  EXPECT_LT(fs::file_size(model) + fs::file_size(optim), float_size * 0.6);

  kit::convert_archive_precision(model.string(), model.string(), torch::kHalf, torch::kFloat);
  kit::convert_archive_precision(optim.string(), optim.string(), torch::kHalf, torch::kFloat);
  LoadedModel fresh = test::small_float_model();
  torch::optim::SGD opt(fresh.net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4));
  load_checkpoint_tensors(dir, 3, *fresh.net, opt);

  const auto a = t.m.net->named_parameters(), b = fresh.net->named_parameters();
  for (const auto& kv : a) expect_close_as_float(b[kv.key()], kv.value());
  for (const auto& kv : t.m.net->named_buffers())
    if (kv.value().is_floating_point()) expect_close_as_float(fresh.net->named_buffers()[kv.key()], kv.value());
  const auto m0 = momentum(t.opt), m1 = momentum(opt);
  ASSERT_EQ(m1.size(), m0.size());
  ASSERT_FALSE(m0.empty());
  for (size_t i = 0; i < m0.size(); ++i) expect_close_as_float(m1[i], m0[i]);
  fs::remove_all(dir);
}

TEST(CheckpointPrecision, AFileThatIsNoArchiveIsNamedInTheError) {
  const fs::path dir = test::temp_dir("ckpt-bad");
  const fs::path bad = dir / "epoch-1.model.pt";
  std::ofstream(bad) << "not an archive";
  try {
    kit::convert_archive_precision(bad.string(), (dir / "out.pt").string(), torch::kFloat, torch::kHalf);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "out.pt"));
  fs::remove_all(dir);
}

TEST(CheckpointPrecision, ValuesBeyondHalfsRangeAreRefusedNotCarriedAsInfinity) {
  const fs::path dir = test::temp_dir("ckpt-range");
  torch::nn::Linear lin(2, 2);
  {
    torch::NoGradGuard ng;
    lin->weight.fill_(1e5f);
  }
  torch::serialize::OutputArchive a;
  lin->save(a);
  const fs::path in = dir / "big.pt", out = dir / "out.pt";
  a.save_to(in.string());
  try {
    kit::convert_archive_precision(in.string(), out.string(), torch::kFloat, torch::kHalf);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'weight'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(dir);
}
