// The pieces every strata network is made of: quantizable layers (conv / depthwise conv /
// linear) consulted through per-layer quantization hooks, BatchNorm sites holding one BN
// per variant (once-QAT keeps one per bit-width), and the Network base class with the
// layer table, the parameter and buffer sets, and the forward context.
//
// Quantizers plug in without touching the model code: every quantizable layer calls
//   x̂ = hooks->Input(layer, x, ctx)   and   ŵ = hooks->Weight(layer, w, ctx)
// before its conv/linear when ctx.hooks is set; with ctx.hooks == nullptr (the default)
// the layer is plain floating point at no extra cost. A hook identifies the layer by
// layer.info().index (0 .. layers().size()-1, forward order) or its stable name.
//
// Thread safety: a Network is plain data; one thread at a time (kernels are parallel).
#ifndef STRATA_MODELS_NETWORK_H_
#define STRATA_MODELS_NETWORK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace models {

// What to build (see models.h for the names and their networks).
struct ModelSpec {
  std::string name;     // "resnet20", "resnet18", "mobilenetv2_cifar", "vgg16_bn", ...
  double width = 1.0;   // channel multiplier, (0, 8]
  int in_channels = 3;  // 1 for Fashion-MNIST
  int num_classes = 1000;
  int input_size = 224;  // nominal H = W (layer table and topology; 32 for CIFAR-sized)
  int bn_variants = 1;   // BNs per site (once-QAT: one per bit-width)
  uint64_t seed = 0;     // weight init = f(seed, parameter name)
};

enum class LayerKind { kConv, kDepthwise, kLinear };
// "conv", "depthwise", "linear".
const char* LayerKindName(LayerKind kind);

// Static description of one quantizable layer at the network's nominal input size.
struct LayerInfo {
  std::string name;  // PyTorch state_dict module name, e.g. "layer1.0.conv1"
  int index = 0;     // position in forward order among the quantizable layers
  LayerKind kind = LayerKind::kConv;
  bool is_first = false;  // the first conv (kept full precision by LSQ and once-QAT)
  bool is_last = false;   // the last linear (the classifier)
  int in_channels = 0, out_channels = 0;  // linear: in/out features
  int kernel = 1, stride = 1, padding = 0, groups = 1;
  int in_h = 1, in_w = 1, out_h = 1, out_w = 1;  // linear: 1
  int64_t fan_in = 0;                            // (in_channels / groups) * kernel * kernel
  int64_t num_weights = 0;                       // weight elements (bias excluded)
  bool has_bias = false;
};

class QuantHooks;

// How one forward pass runs.
struct ForwardContext {
  bool training = false;        // batch statistics + running-stat updates, dropout on
  int variant = 0;              // which BN of each site (once-QAT: the bit-width's index)
  QuantHooks* hooks = nullptr;  // null: full precision
  // Dropout masks are a pure function of (seed, step, site): a resumed run redraws them.
  uint64_t seed = 0;
  int64_t step = 0;
};

class Layer;

// Per-layer quantization: w -> ŵ and x -> x̂. Defaults are the identity.
class QuantHooks {
 public:
  virtual ~QuantHooks() = default;
  virtual Tensor Weight(const Layer& layer, const Tensor& w, const ForwardContext& ctx);
  virtual Tensor Input(const Layer& layer, const Tensor& x, const ForwardContext& ctx);
};

// A conv (dense or depthwise) or linear layer with its weight (and optional bias).
class Layer {
 public:
  Layer(LayerInfo info, Tensor weight, Tensor bias);
  // Conv2d or Linear of hooks->Input(x) with hooks->Weight(weight).
  Tensor Forward(const Tensor& x, const ForwardContext& ctx) const;

  const LayerInfo& info() const { return info_; }
  const Tensor& weight() const { return weight_; }  // conv (K, C/g, R, S); linear (OUT, IN)
  const Tensor& bias() const { return bias_; }      // (K) or undefined

 private:
  friend class Network;
  LayerInfo info_;
  Tensor weight_, bias_;
};

// A BatchNorm site with `variants` independent BNs (statistics and affine). Variant 0 has
// the site's PyTorch name ("layer1.0.bn1"); variant v > 0 is named "<site>.v<v>".
class Norm {
 public:
  Norm(const std::string& name, int channels, int variants);
  // BN of variant ctx.variant (CHECKed in range), fused activation `act`.
  Tensor Forward(const Tensor& x, const ForwardContext& ctx, Act act = Act::kNone) const;
  const std::string& name() const { return name_; }
  int variants() const { return static_cast<int>(bn_.size()); }
  const nn::BatchNorm2d& bn(int variant) const { return bn_.at(variant); }

 private:
  std::string name_;
  std::vector<nn::BatchNorm2d> bn_;
};

// Base of every model. Subclasses build their modules in the constructor through the
// Add* helpers (which register parameters in construction order and track the spatial
// size) and implement Forward.
class Network {
 public:
  virtual ~Network() = default;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // x: (N, in_channels, H, W) -> logits (N, num_classes).
  virtual Tensor Forward(const Tensor& x, const ForwardContext& ctx) const = 0;

  // The quantizable layers in forward order (index == position).
  const std::vector<const Layer*>& layers() const { return layer_ptrs_; }
  // Null when no layer has that name.
  const Layer* FindLayer(const std::string& name) const;
  const std::vector<const Norm*>& norms() const { return norm_ptrs_; }
  // Learnable parameters (requires_grad leaves) and BN running statistics, in
  // construction order with PyTorch state_dict names.
  const ParameterSet& params() const { return params_; }
  const ParameterSet& buffers() const { return buffers_; }
  // Elements of params() (every BN variant included).
  int64_t NumParameters() const;
  // Empty when the network could be built for its input size, else why not.
  const std::string& build_error() const { return build_error_; }

 protected:
  Network(uint64_t seed, int bn_variants) : seed_(seed), bn_variants_(bn_variants) {}
  struct ConvSpec {
    int cin, cout, kernel, stride = 1, padding = 0, groups = 1;
    bool bias = false;
  };
  // Adds a conv applied to an input of *h x *w and updates them to its output size.
  // Depthwise when groups == cin == cout > 1. Kaiming-normal (fan_out) weights, zero bias
  // (torchvision's ResNet, MobileNetV2 and VGG).
  Layer* AddConv(const std::string& name, const ConvSpec& spec, int* h, int* w);
  // Linear layer; `small_normal_init`: N(0, 0.01^2) weights and zero bias (torchvision's
  // VGG and MobileNetV2 classifiers), else PyTorch's default Linear init (ResNet).
  Layer* AddLinear(const std::string& name, int in, int out, bool small_normal_init);
  Norm* AddNorm(const std::string& name, int channels);
  // Output size of a pooling window on *h x *w (records an error if it becomes < 1).
  void Pool(int kernel, int stride, int padding, int* h, int* w);
  // Marks the first and last layers; call at the end of a subclass constructor.
  void Finish();
  void SetBuildError(const std::string& message);
  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  int bn_variants_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<std::unique_ptr<Norm>> norms_;
  std::vector<const Layer*> layer_ptrs_;
  std::vector<const Norm*> norm_ptrs_;
  ParameterSet params_, buffers_;
  std::string build_error_;
};

}  // namespace models
}  // namespace strata

#endif  // STRATA_MODELS_NETWORK_H_
