// VGG-16 with batch norm (Simonyan & Zisserman, "Very Deep Convolutional Networks for
// Large-Scale Image Recognition", ICLR 2015, configuration D; BN after every conv as
// torchvision's vgg16_bn): 13 3x3 convs (with bias) + BN + ReLU in five blocks closed by
// 2x2 max-pools, then three linear layers 4096-4096-classes with ReLU and dropout 0.5.
//
// Small VGG-16s of seed 004 (§3.2, Table 7): the first 5 or the first 8 conv layers are
// kept (the pools between them too, and a closing pool after the last kept conv), plus
// the three-layer classifier.
//
// Feature map to classifier: torchvision's AdaptiveAvgPool2d(7) is reproduced exactly
// when the final map is 7x7 (identity) or a multiple of 7 (average pool by the factor).
// Maps smaller than 7x7 (CIFAR-sized inputs) are flattened as they are (the common
// CIFAR VGG head; the adaptive pool would only replicate values). Other sizes are a
// build error. Width multiplier: every conv and the hidden linear widths.
// Names follow torchvision's state_dict ("features.0", "features.1", "classifier.6").
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "models/families.h"

namespace strata {
namespace models {
namespace {

constexpr int kPool = 0;  // a max-pool in the configuration list
// Configuration D.
const std::vector<int> kVgg16 = {64,    64,  kPool, 128, 128,   kPool, 256, 256, 256,
                                 kPool, 512, 512,   512, kPool, 512,   512, 512, kPool};

// The first `convs` conv layers of D with their pools, closed by a pool.
std::vector<int> Truncated(int convs) {
  std::vector<int> out;
  int kept = 0;
  for (int v : kVgg16) {
    if (v != kPool && kept == convs) break;
    out.push_back(v);
    if (v != kPool) ++kept;
  }
  if (out.back() != kPool) out.push_back(kPool);
  return out;
}

struct Stage {
  const Layer* conv = nullptr;  // null: a max-pool
  const Norm* bn = nullptr;
};

class Vgg : public Network {
 public:
  Vgg(const ModelSpec& spec, const std::vector<int>& cfg) : Network(spec.seed, spec.bn_variants) {
    int h = spec.input_size, w = spec.input_size, cin = spec.in_channels, index = 0;
    for (int v : cfg) {
      if (v == kPool) {
        Pool(2, 2, 0, &h, &w);
        stages_.push_back({});
        index += 1;
        continue;
      }
      const int cout = std::max(1, static_cast<int>(std::lround(v * spec.width)));
      Stage s;
      s.conv = AddConv("features." + std::to_string(index), {cin, cout, 3, 1, 1, 1, true}, &h, &w);
      s.bn = AddNorm("features." + std::to_string(index + 1), cout);
      stages_.push_back(s);
      index += 3;  // conv, BN, ReLU
      cin = cout;
    }
    if (h > 7 && h % 7 == 0 && w == h) {
      avg_pool_ = h / 7;
      h = w = 7;
    } else if (h > 7 || w > 7) {
      SetBuildError("vgg: the final " + std::to_string(h) + "x" + std::to_string(w) +
                    " feature map cannot be pooled to 7x7 exactly (use an input size that gives "
                    "a multiple of 7, e.g. 224, or one of at most 7x7, e.g. 32)");
    }
    const int hidden = std::max(1, static_cast<int>(std::lround(4096 * spec.width)));
    fc1_ = AddLinear("classifier.0", cin * h * w, hidden, /*small_normal_init=*/true);
    fc2_ = AddLinear("classifier.3", hidden, hidden, /*small_normal_init=*/true);
    fc3_ = AddLinear("classifier.6", hidden, spec.num_classes, /*small_normal_init=*/true);
    Finish();
  }

  Tensor Forward(const Tensor& x, const ForwardContext& ctx) const override {
    Tensor y = x;
    for (const Stage& s : stages_) {
      y = s.conv ? s.bn->Forward(s.conv->Forward(y, ctx), ctx, Act::kRelu)
                 : MaxPool2d(y, {2, 2, 0});
    }
    if (avg_pool_ > 1) y = AvgPool2d(y, {avg_pool_, avg_pool_, 0});
    y = Relu(fc1_->Forward(Flatten(y), ctx));
    y = Dropout(y, 0.5f, ctx.training, ctx.seed, Stream("dropout", ctx.step, 0));
    y = Relu(fc2_->Forward(y, ctx));
    y = Dropout(y, 0.5f, ctx.training, ctx.seed, Stream("dropout", ctx.step, 1));
    return fc3_->Forward(y, ctx);
  }

 private:
  std::vector<Stage> stages_;
  int avg_pool_ = 1;
  const Layer *fc1_ = nullptr, *fc2_ = nullptr, *fc3_ = nullptr;
};

}  // namespace

std::unique_ptr<Network> BuildVgg16Bn(const ModelSpec& spec, int convs) {
  CHECK(convs >= 1 && convs <= 13) << "VGG-16 keeps 1..13 conv layers, not " << convs;
  return std::make_unique<Vgg>(spec, convs == 13 ? kVgg16 : Truncated(convs));
}

}  // namespace models
}  // namespace strata
