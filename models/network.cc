#include "models/network.h"

#include <algorithm>
#include <utility>

namespace strata {
namespace models {

const char* LayerKindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kDepthwise:
      return "depthwise";
    case LayerKind::kLinear:
      return "linear";
  }
  return "?";
}

Tensor QuantHooks::Weight(const Layer&, const Tensor& w, const ForwardContext&) { return w; }
Tensor QuantHooks::Input(const Layer&, const Tensor& x, const ForwardContext&) { return x; }

Layer::Layer(LayerInfo info, Tensor weight, Tensor bias)
    : info_(std::move(info)), weight_(std::move(weight)), bias_(std::move(bias)) {}

Tensor Layer::Forward(const Tensor& x, const ForwardContext& ctx) const {
  const Tensor xin = ctx.hooks ? ctx.hooks->Input(*this, x, ctx) : x;
  const Tensor w = ctx.hooks ? ctx.hooks->Weight(*this, weight_, ctx) : weight_;
  if (info_.kind == LayerKind::kLinear) return Linear(xin, w, bias_);
  Conv2dParams p;
  p.stride = info_.stride, p.padding = info_.padding, p.groups = info_.groups;
  return Conv2d(xin, w, bias_, p);
}

Norm::Norm(const std::string& name, int channels, int variants) : name_(name) {
  CHECK(variants >= 1) << "Norm '" << name << "': " << variants << " variants";
  for (int v = 0; v < variants; ++v) {
    bn_.emplace_back(v == 0 ? name : name + ".v" + std::to_string(v), channels);
  }
}

Tensor Norm::Forward(const Tensor& x, const ForwardContext& ctx, Act act) const {
  CHECK(ctx.variant >= 0 && ctx.variant < variants())
      << "Norm '" << name_ << "': variant " << ctx.variant << " of " << variants();
  const nn::BatchNorm2d& bn = bn_[ctx.variant];
  BatchNormParams p;
  p.training = ctx.training, p.momentum = bn.momentum, p.eps = bn.eps, p.act = act;
  return BatchNorm2d(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, p);
}

const Layer* Network::FindLayer(const std::string& name) const {
  for (const Layer* l : layer_ptrs_) {
    if (l->info().name == name) return l;
  }
  return nullptr;
}

int64_t Network::NumParameters() const {
  int64_t n = 0;
  for (const NamedTensor& e : params_.entries()) n += e.tensor.numel();
  return n;
}

void Network::SetBuildError(const std::string& message) {
  if (build_error_.empty()) build_error_ = message;
}

Layer* Network::AddConv(const std::string& name, const ConvSpec& s, int* h, int* w) {
  LayerInfo info;
  info.name = name;
  info.index = static_cast<int>(layers_.size());
  info.kind = (s.groups > 1 && s.groups == s.cin && s.groups == s.cout) ? LayerKind::kDepthwise
                                                                        : LayerKind::kConv;
  info.in_channels = s.cin, info.out_channels = s.cout;
  info.kernel = s.kernel, info.stride = s.stride, info.padding = s.padding, info.groups = s.groups;
  info.in_h = *h, info.in_w = *w;
  info.out_h = (*h + 2 * s.padding - s.kernel) / s.stride + 1;
  info.out_w = (*w + 2 * s.padding - s.kernel) / s.stride + 1;
  if (*h + 2 * s.padding < s.kernel || *w + 2 * s.padding < s.kernel) {
    SetBuildError("layer '" + name + "' gets a " + std::to_string(*h) + "x" + std::to_string(*w) +
                  " input, smaller than its " + std::to_string(s.kernel) + "x" +
                  std::to_string(s.kernel) + " kernel");
    info.out_h = info.out_w = 1;
  }
  info.fan_in = static_cast<int64_t>(s.cin / s.groups) * s.kernel * s.kernel;
  info.num_weights = info.fan_in * s.cout;
  info.has_bias = s.bias;
  *h = info.out_h, *w = info.out_w;

  nn::Conv2dOptions o;
  o.stride = s.stride, o.padding = s.padding, o.groups = s.groups, o.bias = s.bias;
  o.init = nn::Init::kKaimingNormalFanOut;
  nn::Conv2d conv(name, s.cin, s.cout, s.kernel, o, seed_);
  if (conv.bias.defined()) std::fill_n(conv.bias.data(), conv.bias.numel(), 0.f);
  conv.Register(&params_);
  layers_.push_back(std::make_unique<Layer>(std::move(info), conv.weight, conv.bias));
  layer_ptrs_.push_back(layers_.back().get());
  return layers_.back().get();
}

Layer* Network::AddLinear(const std::string& name, int in, int out, bool small_normal_init) {
  LayerInfo info;
  info.name = name;
  info.index = static_cast<int>(layers_.size());
  info.kind = LayerKind::kLinear;
  info.in_channels = in, info.out_channels = out;
  info.fan_in = in;
  info.num_weights = static_cast<int64_t>(in) * out;
  info.has_bias = true;
  nn::Linear fc(name, in, out, /*bias=*/true, seed_);
  if (small_normal_init) {
    const Philox rng(seed_, Stream(name + ".weight"));
    float* wd = fc.weight.data();
    for (int64_t i = 0; i < fc.weight.numel(); ++i) wd[i] = 0.01f * rng.Normal(i);
    std::fill_n(fc.bias.data(), fc.bias.numel(), 0.f);
  }
  fc.Register(&params_);
  layers_.push_back(std::make_unique<Layer>(std::move(info), fc.weight, fc.bias));
  layer_ptrs_.push_back(layers_.back().get());
  return layers_.back().get();
}

Norm* Network::AddNorm(const std::string& name, int channels) {
  norms_.push_back(std::make_unique<Norm>(name, channels, bn_variants_));
  for (int v = 0; v < bn_variants_; ++v) norms_.back()->bn(v).Register(&params_, &buffers_);
  norm_ptrs_.push_back(norms_.back().get());
  return norms_.back().get();
}

void Network::Pool(int kernel, int stride, int padding, int* h, int* w) {
  if (*h + 2 * padding < kernel || *w + 2 * padding < kernel) {
    SetBuildError("a " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                  " pooling window gets a " + std::to_string(*h) + "x" + std::to_string(*w) +
                  " input");
    *h = *w = 1;
    return;
  }
  *h = (*h + 2 * padding - kernel) / stride + 1;
  *w = (*w + 2 * padding - kernel) / stride + 1;
}

void Network::Finish() {
  CHECK(!layers_.empty()) << "a network without layers";
  layers_.front()->info_.is_first = true;
  layers_.back()->info_.is_last = true;
}

}  // namespace models
}  // namespace strata
