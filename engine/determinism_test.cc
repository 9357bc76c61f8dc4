// Same seed => same bytes, for any thread count: a few SGD steps of the test ResNet with 1
// and with 2 threads give byte-identical parameters and BN statistics (SHA-256).
#include "engine/autograd.h"
#include "engine/gradcheck.h"
#include "engine/ops.h"
#include "engine/optim.h"
#include "engine/parallel.h"
#include "engine/test_net.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

std::string TrainAndDigest(int threads) {
  SetNumThreads(threads);
  TestResNet net(16, /*seed=*/7);
  SgdOptions o;
  o.momentum = 0.9f, o.nesterov = true, o.weight_decay = 5e-4f;
  Sgd sgd(o);
  sgd.AddGroup(net.params);
  for (int step = 0; step < 3; ++step) {
    const Tensor x = RandomTensor({16, 3, 17, 17}, 11, step, -1.f, 1.f, false);
    std::vector<int32_t> labels(16);
    for (int i = 0; i < 16; ++i) labels[i] = (i * 7 + step) % 10;
    net.params.ZeroGrads();
    const Tensor logits = Dropout(net.Forward(x), 0.1f, true, 11, step);
    Backward({CrossEntropy(logits, labels)});
    sgd.Step(0.05f);
  }
  ParameterSet all = net.params;
  all.AddAll(net.buffers);
  return ParameterDigest(all);
}

TEST(Determinism, OneAndTwoThreadsGiveIdenticalParameters) {
  const std::string one = TrainAndDigest(1);
  const std::string two = TrainAndDigest(2);
  EXPECT_EQ(one, two);
  EXPECT_EQ(TrainAndDigest(2), two);  // and runs repeat
}

}  // namespace
}  // namespace strata
