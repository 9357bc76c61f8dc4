// Residual networks (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016).
//
// CIFAR family (§4.2): a 3x3 conv with 16 channels, three stages of n basic blocks with
// 16, 32, 64 channels (depth 6n + 2: ResNet-20/32/56), global average pooling, a linear
// classifier. Shortcuts are option A as in the paper's CIFAR experiments (and the common
// reference implementation, akamaster/pytorch_resnet_cifar10): identity, or when the
// shape changes, x[:, :, ::2, ::2] with the new channels zero-padded equally on both
// sides. Option A has no parameters; it is computed here as a stride-2 1x1 conv with a
// fixed 0/1 embedding matrix (not learnable, not a quantizable layer).
//
// ImageNet family (Table 1): ResNet-18/34 (basic blocks [2,2,2,2] / [3,4,6,3]) and ResNet-50
// (bottleneck blocks [3,4,6,3], expansion 4, stride on the 3x3 conv as torchvision's
// "v1.5"), stages of 64, 128, 256, 512 channels, option B shortcuts (1x1 conv + BN) when
// the shape changes. Stem: ImageNet (7x7/2 conv + 3x3/2 max-pool) or CIFAR (3x3/1 conv,
// no max-pool). Names follow torchvision's state_dict ("layer1.0.conv1", "fc").
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "models/families.h"

namespace strata {
namespace models {
namespace {

struct ResNetConfig {
  bool bottleneck = false;
  bool option_a = false;  // CIFAR family shortcuts
  bool imagenet_stem = false;
  int stem_channels = 64;
  std::vector<int> blocks;    // per stage
  std::vector<int> channels;  // per stage (bottleneck: the inner width)
};

int Scaled(int c, double width) { return std::max(1, static_cast<int>(std::lround(c * width))); }

struct Block {
  const Layer *conv1 = nullptr, *conv2 = nullptr, *conv3 = nullptr, *down = nullptr;
  const Norm *bn1 = nullptr, *bn2 = nullptr, *bn3 = nullptr, *down_bn = nullptr;
  Tensor select;  // option A embedding (cout, cin, 1, 1)
  int stride = 1;
};

// The option-A shortcut as a fixed 1x1 conv: input channel c -> output c + (cout-cin)/2.
Tensor OptionAEmbedding(int cin, int cout) {
  Tensor w = Tensor::Zeros({cout, cin, 1, 1});
  const int offset = (cout - cin) / 2;
  for (int c = 0; c < cin && c + offset < cout; ++c) w.data()[(c + offset) * cin + c] = 1.f;
  return w;
}

class ResNet : public Network {
 public:
  ResNet(const ModelSpec& spec, const ResNetConfig& cfg)
      : Network(spec.seed, spec.bn_variants), bottleneck_(cfg.bottleneck) {
    int h = spec.input_size, w = spec.input_size;
    const int stem = Scaled(cfg.stem_channels, spec.width);
    if (cfg.imagenet_stem) {
      conv1_ = AddConv("conv1", {spec.in_channels, stem, 7, 2, 3}, &h, &w);
    } else {
      conv1_ = AddConv("conv1", {spec.in_channels, stem, 3, 1, 1}, &h, &w);
    }
    bn1_ = AddNorm("bn1", stem);
    max_pool_ = cfg.imagenet_stem;
    if (max_pool_) Pool(3, 2, 1, &h, &w);
    int cin = stem;
    for (size_t s = 0; s < cfg.blocks.size(); ++s) {
      const int width = Scaled(cfg.channels[s], spec.width);
      for (int b = 0; b < cfg.blocks[s]; ++b) {
        const std::string name = "layer" + std::to_string(s + 1) + "." + std::to_string(b);
        const int stride = (b == 0 && s > 0) ? 2 : 1;
        blocks_.push_back(cfg.bottleneck
                              ? AddBottleneck(name, cin, width, stride, &h, &w)
                              : AddBasic(name, cin, width, stride, cfg.option_a, &h, &w));
        cin = cfg.bottleneck ? 4 * width : width;
      }
    }
    fc_ = AddLinear("fc", cin, spec.num_classes, /*small_normal_init=*/false);
    Finish();
  }

  Tensor Forward(const Tensor& x, const ForwardContext& ctx) const override {
    Tensor y = bn1_->Forward(conv1_->Forward(x, ctx), ctx, Act::kRelu);
    if (max_pool_) y = MaxPool2d(y, {3, 2, 1});
    for (const Block& b : blocks_) y = BlockForward(b, y, ctx);
    return fc_->Forward(GlobalAvgPool(y), ctx);
  }

 private:
  Block AddBasic(const std::string& name, int cin, int cout, int stride, bool option_a, int* h,
                 int* w) {
    Block b;
    b.stride = stride;
    int h0 = *h, w0 = *w;
    b.conv1 = AddConv(name + ".conv1", {cin, cout, 3, stride, 1}, h, w);
    b.bn1 = AddNorm(name + ".bn1", cout);
    b.conv2 = AddConv(name + ".conv2", {cout, cout, 3, 1, 1}, h, w);
    b.bn2 = AddNorm(name + ".bn2", cout);
    if (stride != 1 || cin != cout) {
      if (option_a) {
        b.select = OptionAEmbedding(cin, cout);
      } else {
        b.down = AddConv(name + ".downsample.0", {cin, cout, 1, stride, 0}, &h0, &w0);
        b.down_bn = AddNorm(name + ".downsample.1", cout);
      }
    }
    return b;
  }

  Block AddBottleneck(const std::string& name, int cin, int width, int stride, int* h, int* w) {
    Block b;
    b.stride = stride;
    int h0 = *h, w0 = *w;
    b.conv1 = AddConv(name + ".conv1", {cin, width, 1, 1, 0}, h, w);
    b.bn1 = AddNorm(name + ".bn1", width);
    b.conv2 = AddConv(name + ".conv2", {width, width, 3, stride, 1}, h, w);
    b.bn2 = AddNorm(name + ".bn2", width);
    b.conv3 = AddConv(name + ".conv3", {width, 4 * width, 1, 1, 0}, h, w);
    b.bn3 = AddNorm(name + ".bn3", 4 * width);
    if (stride != 1 || cin != 4 * width) {
      b.down = AddConv(name + ".downsample.0", {cin, 4 * width, 1, stride, 0}, &h0, &w0);
      b.down_bn = AddNorm(name + ".downsample.1", 4 * width);
    }
    return b;
  }

  Tensor BlockForward(const Block& b, const Tensor& x, const ForwardContext& ctx) const {
    Tensor y = b.bn1->Forward(b.conv1->Forward(x, ctx), ctx, Act::kRelu);
    if (bottleneck_) {
      y = b.bn2->Forward(b.conv2->Forward(y, ctx), ctx, Act::kRelu);
      y = b.bn3->Forward(b.conv3->Forward(y, ctx), ctx);
    } else {
      y = b.bn2->Forward(b.conv2->Forward(y, ctx), ctx);
    }
    Tensor s = x;
    if (b.down != nullptr) {
      s = b.down_bn->Forward(b.down->Forward(x, ctx), ctx);
    } else if (b.select.defined()) {
      Conv2dParams p;
      p.stride = b.stride;
      s = Conv2d(x, b.select, Tensor(), p);
    }
    return Relu(Add(y, s));
  }

  bool bottleneck_;
  bool max_pool_ = false;
  const Layer *conv1_ = nullptr, *fc_ = nullptr;
  const Norm* bn1_ = nullptr;
  std::vector<Block> blocks_;
};

}  // namespace

std::unique_ptr<Network> BuildResNetCifar(const ModelSpec& spec, int depth) {
  CHECK((depth - 2) % 6 == 0) << "CIFAR ResNet depth " << depth << " is not 6n + 2";
  const int n = (depth - 2) / 6;
  ResNetConfig cfg;
  cfg.option_a = true;
  cfg.stem_channels = 16;
  cfg.blocks = {n, n, n};
  cfg.channels = {16, 32, 64};
  return std::make_unique<ResNet>(spec, cfg);
}

std::unique_ptr<Network> BuildResNetImageNet(const ModelSpec& spec, int depth, bool imagenet_stem) {
  ResNetConfig cfg;
  cfg.imagenet_stem = imagenet_stem;
  cfg.channels = {64, 128, 256, 512};
  cfg.bottleneck = depth >= 50;
  if (depth == 18) {
    cfg.blocks = {2, 2, 2, 2};
  } else if (depth == 34 || depth == 50) {
    cfg.blocks = {3, 4, 6, 3};
  } else {
    CHECK(false) << "ImageNet ResNet depth " << depth << " is not 18, 34 or 50";
  }
  return std::make_unique<ResNet>(spec, cfg);
}

}  // namespace models
}  // namespace strata
