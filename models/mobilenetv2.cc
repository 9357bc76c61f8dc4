// MobileNetV2 (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
// CVPR 2018), as torchvision builds it: a 3x3/2 conv with 32 channels, the inverted
// residual blocks of Table 2 (t, c, n, s), a 1x1 conv to 1280 channels, global average
// pooling, dropout 0.2 and a linear classifier. Each block: 1x1 expansion (t != 1) + BN +
// ReLU6, 3x3 depthwise (stride s on the first of n) + BN + ReLU6, 1x1 linear projection +
// BN; a residual connection when the stride is 1 and the channels are kept.
// Width multiplier as torchvision (_make_divisible by 8; the last conv keeps 1280 below 1).
// CIFAR variant: the stem conv has stride 1 (32x32 inputs end at 2x2 instead of 1x1).
// Names follow torchvision's state_dict ("features.2.conv.1.0", "classifier.1").
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "models/families.h"

namespace strata {
namespace models {
namespace {

// torchvision's _make_divisible: nearest multiple of 8, >= 8, never 10 % below v.
int MakeDivisible(double v, int divisor = 8) {
  int new_v = std::max(divisor, static_cast<int>(v + divisor / 2.0) / divisor * divisor);
  if (new_v < 0.9 * v) new_v += divisor;
  return new_v;
}

struct InvertedResidual {
  const Layer *expand = nullptr, *depthwise = nullptr, *project = nullptr;
  const Norm *expand_bn = nullptr, *depthwise_bn = nullptr, *project_bn = nullptr;
  bool residual = false;
};

class MobileNetV2 : public Network {
 public:
  MobileNetV2(const ModelSpec& spec, bool cifar) : Network(spec.seed, spec.bn_variants) {
    // Table 2 of the paper: expansion t, output channels c, repeats n, first stride s.
    static const int kSettings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                        {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    int h = spec.input_size, w = spec.input_size;
    int cin = MakeDivisible(32 * spec.width);
    stem_ = AddConv("features.0.0", {spec.in_channels, cin, 3, cifar ? 1 : 2, 1}, &h, &w);
    stem_bn_ = AddNorm("features.0.1", cin);
    int index = 1;
    for (const auto& st : kSettings) {
      const int cout = MakeDivisible(st[1] * spec.width);
      for (int i = 0; i < st[2]; ++i) {
        const std::string name = "features." + std::to_string(index++) + ".conv";
        blocks_.push_back(AddBlock(name, cin, cout, i == 0 ? st[3] : 1, st[0], &h, &w));
        cin = cout;
      }
    }
    const int last = MakeDivisible(1280 * std::max(1.0, spec.width));
    const std::string head = "features." + std::to_string(index);
    head_ = AddConv(head + ".0", {cin, last, 1, 1, 0}, &h, &w);
    head_bn_ = AddNorm(head + ".1", last);
    fc_ = AddLinear("classifier.1", last, spec.num_classes, /*small_normal_init=*/true);
    Finish();
  }

  Tensor Forward(const Tensor& x, const ForwardContext& ctx) const override {
    Tensor y = stem_bn_->Forward(stem_->Forward(x, ctx), ctx, Act::kRelu6);
    for (const InvertedResidual& b : blocks_) {
      Tensor z = y;
      if (b.expand) z = b.expand_bn->Forward(b.expand->Forward(z, ctx), ctx, Act::kRelu6);
      z = b.depthwise_bn->Forward(b.depthwise->Forward(z, ctx), ctx, Act::kRelu6);
      z = b.project_bn->Forward(b.project->Forward(z, ctx), ctx);
      y = b.residual ? Add(y, z) : z;
    }
    y = head_bn_->Forward(head_->Forward(y, ctx), ctx, Act::kRelu6);
    y = Dropout(GlobalAvgPool(y), 0.2f, ctx.training, ctx.seed, Stream("dropout", ctx.step));
    return fc_->Forward(y, ctx);
  }

 private:
  InvertedResidual AddBlock(const std::string& name, int cin, int cout, int stride, int t, int* h,
                            int* w) {
    InvertedResidual b;
    const int hidden = cin * t;
    int part = 0;
    if (t != 1) {
      b.expand = AddConv(name + ".0.0", {cin, hidden, 1, 1, 0}, h, w);
      b.expand_bn = AddNorm(name + ".0.1", hidden);
      part = 1;
    }
    const std::string dw = name + "." + std::to_string(part);
    b.depthwise = AddConv(dw + ".0", {hidden, hidden, 3, stride, 1, hidden}, h, w);
    b.depthwise_bn = AddNorm(dw + ".1", hidden);
    b.project = AddConv(name + "." + std::to_string(part + 1), {hidden, cout, 1, 1, 0}, h, w);
    b.project_bn = AddNorm(name + "." + std::to_string(part + 2), cout);
    b.residual = stride == 1 && cin == cout;
    return b;
  }

  const Layer *stem_ = nullptr, *head_ = nullptr, *fc_ = nullptr;
  const Norm *stem_bn_ = nullptr, *head_bn_ = nullptr;
  std::vector<InvertedResidual> blocks_;
};

}  // namespace

std::unique_ptr<Network> BuildMobileNetV2(const ModelSpec& spec, bool cifar) {
  return std::make_unique<MobileNetV2>(spec, cifar);
}

}  // namespace models
}  // namespace strata
