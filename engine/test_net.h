// A small residual network for engine tests (testonly): conv1-bn1-relu, an identity basic
// block, a stride-2 basic block with a 1x1 conv + BN shortcut, global average pooling and
// a linear classifier. Parameter names equal the state_dict names of the PyTorch model in
// testdata/make_parity_dump.py.
#ifndef STRATA_ENGINE_TEST_NET_H_
#define STRATA_ENGINE_TEST_NET_H_

#include <memory>
#include <string>

#include "engine/nn.h"

namespace strata {

class TestBlock {
 public:
  TestBlock(const std::string& name, int cin, int cout, int stride, uint64_t seed);
  Tensor Forward(const Tensor& x) const;
  void Register(ParameterSet* params, ParameterSet* buffers) const;
  void SetTraining(bool training);

 private:
  nn::Conv2d conv1, conv2;
  nn::BatchNorm2d bn1, bn2;
  std::unique_ptr<nn::Conv2d> sc_conv;
  std::unique_ptr<nn::BatchNorm2d> sc_bn;
};

class TestResNet {
 public:
  // First stage width w (the second has 2w), 10 classes.
  TestResNet(int width, uint64_t seed);
  Tensor Forward(const Tensor& x) const;  // logits (N, 10)
  void SetTraining(bool training);

  ParameterSet params, buffers;

 private:
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  TestBlock block1, block2;
  nn::Linear fc;
};

}  // namespace strata

#endif  // STRATA_ENGINE_TEST_NET_H_
