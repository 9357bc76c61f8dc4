// PyTorch parity: the network of testdata/make_parity_dump.py, loaded with the dump's
// initial weights and inputs, trained two SGD steps (momentum 0.9, weight decay 5e-4).
// Loss, every step-1 gradient, the parameters after each step, the BN running statistics
// and eval-mode logits must equal PyTorch's.
//
// Tolerance: per tensor, max |strata - torch| <= 1e-4 * max |torch| + 1e-6. Both sides
// compute in float32 with different summation orders (oneDNN vs strata's kernels); the
// deepest sums here have a few hundred terms, so rounding differences are ~1e-6 relative
// and BN's normalisation by batch statistics amplifies them by at most ~10x. 1e-4 leaves
// margin while any wrong formula (a missing term, a transposition, biased vs unbiased
// variance, momentum applied on the first step) shows as a relative error >= 1e-2.
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "engine/autograd.h"
#include "engine/file_util.h"
#include "engine/ops.h"
#include "engine/optim.h"
#include "engine/test_net.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

constexpr char kDump[] = "engine/testdata/parity_dump.txt";

std::map<std::string, Tensor> ReadDump() {
  const StatusOr<std::string> bytes = ReadFile(kDump);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  std::map<std::string, Tensor> out;
  std::istringstream in(bytes.ok() ? bytes.value() : "");
  std::string name;
  int rank;
  while (in >> name >> rank) {
    Shape shape(rank);
    for (int64_t& d : shape) in >> d;
    Tensor t = Tensor::Empty(shape);
    for (int64_t i = 0; i < t.numel(); ++i) in >> t.data()[i];
    out[name] = t;
  }
  return out;
}

double worst_ratio = 0;  // the largest error / max|torch| seen, printed at the end

void ExpectClose(const std::string& what, const Tensor& got, const Tensor& want) {
  ASSERT_TRUE(want.defined()) << what << " missing from the dump";
  ASSERT_EQ(got.numel(), want.numel()) << what;
  double max_ref = 0, max_err = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    max_ref = std::max(max_ref, double(std::fabs(want.data()[i])));
    max_err = std::max(max_err, double(std::fabs(got.data()[i] - want.data()[i])));
  }
  EXPECT_LE(max_err, 1e-4 * max_ref + 1e-6)
      << what << ": max error " << max_err << " vs max |torch| " << max_ref;
  if (max_ref > 0) worst_ratio = std::max(worst_ratio, max_err / max_ref);
}

TEST(PyTorchParity, TwoSgdStepsOfASmallResNet) {
  std::map<std::string, Tensor> dump = ReadDump();
  ASSERT_FALSE(dump.empty());
  TestResNet net(4, /*seed=*/1);
  ParameterSet state = net.params;
  state.AddAll(net.buffers);
  for (const NamedTensor& e : state.entries()) {
    ASSERT_TRUE(dump.count("init/" + e.name)) << e.name;
    ASSERT_EQ(dump["init/" + e.name].shape(), e.tensor.shape()) << e.name;
    e.tensor.CopyFrom(dump["init/" + e.name]);
  }
  const Tensor x = dump["input"];
  std::vector<int32_t> labels;
  for (float v : dump["labels"].ToVector()) labels.push_back(static_cast<int32_t>(v));
  SgdOptions o;
  o.momentum = 0.9f, o.weight_decay = 5e-4f;
  Sgd sgd(o);
  sgd.AddGroup(net.params);
  for (int step = 1; step <= 2; ++step) {
    const std::string s = "step" + std::to_string(step);
    net.params.ZeroGrads();
    const Tensor loss = CrossEntropy(net.Forward(x), labels);
    Backward({loss});
    ExpectClose(s + "/loss", loss, dump[s + "/loss"]);
    for (const NamedTensor& e : net.params.entries()) {
      if (step == 1) ExpectClose("grad " + e.name, e.tensor.grad(), dump["step1/grad/" + e.name]);
    }
    sgd.Step(0.1f);
    for (const NamedTensor& e : net.params.entries()) {
      ExpectClose(s + " param " + e.name, e.tensor, dump[s + "/param/" + e.name]);
    }
  }
  for (const NamedTensor& e : net.buffers.entries()) {
    ExpectClose("buffer " + e.name, e.tensor, dump["step2/" + e.name]);
  }
  net.SetTraining(false);
  ExpectClose("eval logits", net.Forward(x), dump["eval/logits"]);
  std::printf("worst relative error vs PyTorch: %.3g\n", worst_ratio);
}

}  // namespace
}  // namespace strata
