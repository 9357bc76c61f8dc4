#include "engine/test_net.h"

namespace strata {
namespace {

nn::Conv2dOptions ConvOpts(int stride, int padding) {
  nn::Conv2dOptions o;
  o.stride = stride, o.padding = padding, o.bias = false;
  return o;
}

}  // namespace

TestBlock::TestBlock(const std::string& name, int cin, int cout, int stride, uint64_t seed)
    : conv1(name + ".conv1", cin, cout, 3, ConvOpts(stride, 1), seed),
      conv2(name + ".conv2", cout, cout, 3, ConvOpts(1, 1), seed),
      bn1(name + ".bn1", cout),
      bn2(name + ".bn2", cout) {
  if (stride != 1 || cin != cout) {
    sc_conv =
        std::make_unique<nn::Conv2d>(name + ".sc_conv", cin, cout, 1, ConvOpts(stride, 0), seed);
    sc_bn = std::make_unique<nn::BatchNorm2d>(name + ".sc_bn", cout);
  }
}

Tensor TestBlock::Forward(const Tensor& x) const {
  Tensor y = bn1.Forward(conv1.Forward(x), Act::kRelu);
  y = bn2.Forward(conv2.Forward(y));
  const Tensor s = sc_conv ? sc_bn->Forward(sc_conv->Forward(x)) : x;
  return Relu(Add(y, s));
}

// PyTorch's named_parameters order: modules in construction order.
void TestBlock::Register(ParameterSet* params, ParameterSet* buffers) const {
  conv1.Register(params);
  bn1.Register(params, buffers);
  conv2.Register(params);
  bn2.Register(params, buffers);
  if (sc_conv) {
    sc_conv->Register(params);
    sc_bn->Register(params, buffers);
  }
}

void TestBlock::SetTraining(bool training) {
  bn1.training = bn2.training = training;
  if (sc_bn) sc_bn->training = training;
}

TestResNet::TestResNet(int width, uint64_t seed)
    : conv1("conv1", 3, width, 3, ConvOpts(1, 1), seed),
      bn1("bn1", width),
      block1("block1", width, width, 1, seed),
      block2("block2", width, 2 * width, 2, seed),
      fc("fc", 2 * width, 10, true, seed) {
  conv1.Register(&params);
  bn1.Register(&params, &buffers);
  block1.Register(&params, &buffers);
  block2.Register(&params, &buffers);
  fc.Register(&params);
}

Tensor TestResNet::Forward(const Tensor& x) const {
  Tensor y = bn1.Forward(conv1.Forward(x), Act::kRelu);
  y = block2.Forward(block1.Forward(y));
  return fc.Forward(GlobalAvgPool(y));
}

void TestResNet::SetTraining(bool training) {
  bn1.training = training;
  block1.SetTraining(training);
  block2.SetTraining(training);
}

}  // namespace strata
