#include "engine/nn.h"

#include <cmath>
#include <cstring>

#include "engine/check.h"
#include "engine/file_util.h"
#include "engine/rng.h"

namespace strata {

void ParameterSet::Add(const std::string& name, const Tensor& t) {
  CHECK(t.defined()) << "ParameterSet::Add: undefined tensor '" << name << "'";
  CHECK(Find(name) == nullptr) << "ParameterSet::Add: duplicate name '" << name << "'";
  entries_.push_back({name, t});
}

void ParameterSet::AddAll(const ParameterSet& other) {
  for (const NamedTensor& e : other.entries()) Add(e.name, e.tensor);
}

std::vector<Tensor> ParameterSet::tensors() const {
  std::vector<Tensor> out;
  out.reserve(entries_.size());
  for (const NamedTensor& e : entries_) out.push_back(e.tensor);
  return out;
}

const Tensor* ParameterSet::Find(const std::string& name) const {
  for (const NamedTensor& e : entries_) {
    if (e.name == name) return &e.tensor;
  }
  return nullptr;
}

ParameterSet ParameterSet::Filter(const std::function<bool(const std::string&)>& pred) const {
  ParameterSet out;
  for (const NamedTensor& e : entries_) {
    if (pred(e.name)) out.Add(e.name, e.tensor);
  }
  return out;
}

void ParameterSet::ZeroGrads() const {
  for (const NamedTensor& e : entries_) e.tensor.ZeroGrad();
}

std::string ParameterDigest(const ParameterSet& params) {
  std::string bytes;
  for (const NamedTensor& e : params.entries()) {
    bytes += e.name + ShapeStr(e.tensor.shape());
    bytes.append(reinterpret_cast<const char*>(e.tensor.data()), e.tensor.numel() * sizeof(float));
  }
  return Sha256Hex(bytes);
}

namespace nn {
namespace {

double Gain(double a) { return std::sqrt(2.0 / (1.0 + a * a)); }

// torch.nn.init._calculate_fan_in_and_fan_out for a weight (OUT, IN, ...).
int64_t FanIn(const Tensor& w) { return w.numel() / w.dim(0); }
int64_t FanOut(const Tensor& w) { return w.numel() / w.dim(1); }

void DefaultInit(const Tensor& w, const Tensor& b, const std::string& name, uint64_t seed) {
  const int64_t fan_in = FanIn(w);
  KaimingUniform(w, fan_in, std::sqrt(5.0), seed, Stream(name + ".weight"));
  if (b.defined()) {
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(double(fan_in)) : 0.0;
    UniformInit(b, -bound, bound, seed, Stream(name + ".bias"));
  }
}

Tensor Parameter(const Shape& shape) {
  Tensor t = Tensor::Zeros(shape);
  t.set_requires_grad(true);
  return t;
}

}  // namespace

void UniformInit(const Tensor& t, double lo, double hi, uint64_t seed, uint64_t stream) {
  const Philox rng(seed, stream);
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = float(lo + (hi - lo) * rng.Uniform(i));
}

void KaimingUniform(const Tensor& t, int64_t fan, double a, uint64_t seed, uint64_t stream) {
  CHECK_GT(fan, 0) << "KaimingUniform: fan of " << ShapeStr(t.shape());
  const double bound = Gain(a) * std::sqrt(3.0 / double(fan));
  UniformInit(t, -bound, bound, seed, stream);
}

void KaimingNormal(const Tensor& t, int64_t fan, double a, uint64_t seed, uint64_t stream) {
  CHECK_GT(fan, 0) << "KaimingNormal: fan of " << ShapeStr(t.shape());
  const double std_dev = Gain(a) / std::sqrt(double(fan));
  const Philox rng(seed, stream);
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = float(std_dev * rng.Normal(i));
}

Conv2d::Conv2d(const std::string& name, int in_channels, int out_channels, int kernel,
               const Conv2dOptions& o, uint64_t seed)
    : name(name) {
  CHECK(o.groups >= 1 && in_channels % o.groups == 0 && out_channels % o.groups == 0)
      << "Conv2d '" << name << "': " << in_channels << " -> " << out_channels << " channels, "
      << o.groups << " groups";
  params.stride = o.stride, params.padding = o.padding, params.groups = o.groups;
  weight = Parameter({out_channels, in_channels / o.groups, kernel, kernel});
  if (o.bias) bias = Parameter({out_channels});
  if (o.init == Init::kPyTorchDefault) {
    DefaultInit(weight, bias, name, seed);
  } else {
    KaimingNormal(weight, FanOut(weight), 0.0, seed, Stream(name + ".weight"));
  }
}

Tensor Conv2d::Forward(const Tensor& x) const { return strata::Conv2d(x, weight, bias, params); }

void Conv2d::Register(ParameterSet* p) const {
  p->Add(name + ".weight", weight);
  if (bias.defined()) p->Add(name + ".bias", bias);
}

BatchNorm2d::BatchNorm2d(const std::string& name, int channels, float momentum, float eps)
    : name(name), momentum(momentum), eps(eps) {
  weight = Tensor::Full({channels}, 1.f).set_requires_grad(true);
  bias = Parameter({channels});
  running_mean = Tensor::Zeros({channels});
  running_var = Tensor::Full({channels}, 1.f);
}

Tensor BatchNorm2d::Forward(const Tensor& x, Act act) const {
  BatchNormParams p;
  p.training = training, p.momentum = momentum, p.eps = eps, p.act = act;
  return strata::BatchNorm2d(x, weight, bias, running_mean, running_var, p);
}

void BatchNorm2d::Register(ParameterSet* params, ParameterSet* buffers) const {
  params->Add(name + ".weight", weight);
  params->Add(name + ".bias", bias);
  if (buffers != nullptr) {
    buffers->Add(name + ".running_mean", running_mean);
    buffers->Add(name + ".running_var", running_var);
  }
}

Linear::Linear(const std::string& name, int in_features, int out_features, bool has_bias,
               uint64_t seed)
    : name(name) {
  weight = Parameter({out_features, in_features});
  if (has_bias) bias = Parameter({out_features});
  DefaultInit(weight, bias, name, seed);
}

Tensor Linear::Forward(const Tensor& x) const { return strata::Linear(x, weight, bias); }

void Linear::Register(ParameterSet* p) const {
  p->Add(name + ".weight", weight);
  if (bias.defined()) p->Add(name + ".bias", bias);
}

}  // namespace nn
}  // namespace strata
