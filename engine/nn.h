// nn modules (nn::Conv2d, nn::BatchNorm2d, nn::Linear), named parameter sets, and
// PyTorch-compatible initialization drawn from Philox.
//
// A module owns its tensors (leaves with requires_grad for parameters) and a stable name
// given at construction ("stage1.block0.conv1"); Register() adds them to a ParameterSet as
// name + ".weight", ".bias", ".running_mean", ... exactly as PyTorch's state_dict names
// them, so optimizers, checkpoints and parity dumps all speak the same names.
//
// Initialization is a pure function of (seed, name): the tensor called "<name>.weight"
// draws element i from Philox(seed, Stream("<name>.weight")), so adding a layer never
// changes another layer's initial weights.
//
//   ParameterSet params, buffers;
//   nn::Conv2d conv("stem", 3, 16, 3, {.padding = 1, .bias = false}, /*seed=*/1);
//   nn::BatchNorm2d bn("stem.bn", 16);
//   conv.Register(&params);
//   bn.Register(&params, &buffers);
//   Tensor y = bn.Forward(conv.Forward(x), Act::kRelu);   // fused BN + ReLU
//
// Thread safety: modules are plain data; one thread at a time.
#ifndef STRATA_ENGINE_NN_H_
#define STRATA_ENGINE_NN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/ops.h"
#include "engine/tensor.h"

namespace strata {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// An ordered list of uniquely named tensors (insertion order is the canonical order for
// optimizers, checkpoints and digests).
class ParameterSet {
 public:
  // CHECK-fails on a duplicate name.
  void Add(const std::string& name, const Tensor& t);
  void AddAll(const ParameterSet& other);
  const std::vector<NamedTensor>& entries() const { return entries_; }
  std::vector<Tensor> tensors() const;
  // Null when absent.
  const Tensor* Find(const std::string& name) const;
  size_t size() const { return entries_.size(); }
  // The entries whose name satisfies pred (e.g. "no weight decay on BN").
  ParameterSet Filter(const std::function<bool(const std::string&)>& pred) const;
  // Fills every defined .grad with zeros.
  void ZeroGrads() const;

 private:
  std::vector<NamedTensor> entries_;
};

// SHA-256 of the parameters' bytes in order (names and shapes included): the digest used
// for "same seed => same bytes" checks.
std::string ParameterDigest(const ParameterSet& params);

namespace nn {

// ---- initialization (torch.nn.init semantics) ----
// gain(leaky_relu, a) = sqrt(2 / (1 + a^2)).
// kaiming_uniform_: U(-b, b), b = gain * sqrt(3 / fan).
void KaimingUniform(const Tensor& t, int64_t fan, double a, uint64_t seed, uint64_t stream);
// kaiming_normal_: N(0, std^2), std = gain / sqrt(fan).
void KaimingNormal(const Tensor& t, int64_t fan, double a, uint64_t seed, uint64_t stream);
void UniformInit(const Tensor& t, double lo, double hi, uint64_t seed, uint64_t stream);

// PyTorch's default for Conv2d and Linear: weight kaiming_uniform_(a = sqrt(5)) with
// fan_in (so U(-1/sqrt(fan_in), 1/sqrt(fan_in))), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
enum class Init { kPyTorchDefault, kKaimingNormalFanOut };

struct Conv2dOptions {
  int stride = 1, padding = 0, groups = 1;
  bool bias = true;
  Init init = Init::kPyTorchDefault;  // kKaimingNormalFanOut: torchvision ResNet's choice
};

class Conv2d {
 public:
  Conv2d(const std::string& name, int in_channels, int out_channels, int kernel,
         const Conv2dOptions& options, uint64_t seed);
  Tensor Forward(const Tensor& x) const;
  void Register(ParameterSet* params) const;

  std::string name;
  Conv2dParams params;
  Tensor weight;  // (K, C/groups, R, S)
  Tensor bias;    // (K) or undefined
};

class BatchNorm2d {
 public:
  explicit BatchNorm2d(const std::string& name, int channels, float momentum = 0.1f,
                       float eps = 1e-5f);
  // Training mode uses batch statistics and updates the running ones.
  Tensor Forward(const Tensor& x, Act act = Act::kNone) const;
  // weight, bias into params; running_mean, running_var into buffers.
  void Register(ParameterSet* params, ParameterSet* buffers) const;

  std::string name;
  bool training = true;
  float momentum, eps;
  Tensor weight, bias;               // gamma = 1, beta = 0
  Tensor running_mean, running_var;  // 0 and 1
};

class Linear {
 public:
  Linear(const std::string& name, int in_features, int out_features, bool bias, uint64_t seed);
  Tensor Forward(const Tensor& x) const;
  void Register(ParameterSet* params) const;

  std::string name;
  Tensor weight;  // (OUT, IN)
  Tensor bias;    // (OUT) or undefined
};

}  // namespace nn
}  // namespace strata

#endif  // STRATA_ENGINE_NN_H_
