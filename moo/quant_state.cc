// Per-layer, per-bit-width quantization state (quant_state.h).
#include "moo/quant_state.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "quant/quant.h"

namespace strata {
namespace moo {
namespace {

std::string LayerNames(const models::Network& net) {
  std::string names;
  for (const models::Layer* l : net.layers()) names += (names.empty() ? "" : ", ") + l->info().name;
  return names;
}

Status CheckPair(int w, int a, const std::string& field, bool zero_ok) {
  if (zero_ok && w == 0 && a == 0) return Status::Ok();
  if (zero_ok && (w == 0) != (a == 0)) {
    return InvalidArgumentError(field + ": w_bits " + std::to_string(w) + " with a_bits " +
                                std::to_string(a) +
                                ": a layer is quantized on both sides (weight and input) or "
                                "neither; the other side has no quantizer");
  }
  STRATA_RETURN_IF_ERROR(quant::ValidateBits(w, field + ".w_bits"));
  return quant::ValidateBits(a, field + ".a_bits");
}

// The checks that need no network.
Status ValidatePlan(const PrecisionPlan& plan, const std::string& field) {
  STRATA_RETURN_IF_ERROR(CheckPair(plan.w_bits, plan.a_bits, field, /*zero_ok=*/false));
  std::set<std::string> seen;
  for (size_t k = 0; k < plan.layers.size(); ++k) {
    const PrecisionPlan::Entry& e = plan.layers[k];
    const std::string f = field + ".layers[" + std::to_string(k) + "]";
    if (e.layer.empty()) return InvalidArgumentError(f + ".name: missing");
    if (!seen.insert(e.layer).second) {
      return InvalidArgumentError(f + ".name: '" + e.layer + "' is named twice");
    }
    STRATA_RETURN_IF_ERROR(CheckPair(e.w_bits, e.a_bits, f + " ('" + e.layer + "')", true));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<PrecisionPlan> PlanFrom(const PrecisionPlanConfig& c, const std::string& field) {
  PrecisionPlan plan;
  plan.w_bits = c.w_bits(), plan.a_bits = c.a_bits(), plan.eight_bit_ends = c.eight_bit_ends();
  for (const PrecisionPlanConfig::Layer& l : c.layers()) {
    plan.layers.push_back({l.name(), l.w_bits(), l.a_bits()});
  }
  STRATA_RETURN_IF_ERROR(ValidatePlan(plan, field));
  return plan;
}

StatusOr<std::vector<LayerBits>> ResolvePlan(const PrecisionPlan& plan,
                                             const models::Network& net,
                                             const std::string& field) {
  STRATA_RETURN_IF_ERROR(ValidatePlan(plan, field));
  std::vector<int> w(net.layers().size()), a(net.layers().size());
  for (const models::Layer* l : net.layers()) {
    const models::LayerInfo& i = l->info();
    const bool end = i.is_first || i.is_last;
    w[i.index] = end ? (plan.eight_bit_ends ? 8 : 0) : plan.w_bits;
    a[i.index] = end ? (plan.eight_bit_ends ? 8 : 0) : plan.a_bits;
  }
  for (size_t k = 0; k < plan.layers.size(); ++k) {
    const PrecisionPlan::Entry& e = plan.layers[k];
    const models::Layer* l = net.FindLayer(e.layer);
    if (l == nullptr) {
      return InvalidArgumentError(field + ".layers[" + std::to_string(k) + "].name: '" + e.layer +
                                  "' is not a layer of this network (" + LayerNames(net) + ")");
    }
    w[l->info().index] = e.w_bits;
    a[l->info().index] = e.a_bits;
  }
  std::vector<LayerBits> out;
  for (const models::Layer* l : net.layers()) {
    const int i = l->info().index;
    if (w[i] == 0) continue;
    out.push_back({i, l->info().name, {w[i]}, {a[i]}});
  }
  return out;
}

std::vector<LayerBits> UniformSlots(const models::Network& net, const std::vector<int>& bits) {
  for (int b : bits) CHECK(quant::ValidateBits(b).ok()) << "UniformSlots: bits " << b;
  std::vector<LayerBits> out;
  for (const models::Layer* l : net.layers()) {
    if (l->info().is_first || l->info().is_last) continue;
    out.push_back({l->info().index, l->info().name, bits, bits});
  }
  return out;
}

class SlottedHooks::View : public models::QuantHooks {
 public:
  View(SlottedHooks* base, int slot) : base_(base), slot_(slot) {}
  Tensor Weight(const models::Layer& layer, const Tensor& w,
                const models::ForwardContext& ctx) override {
    return base_->Weight(layer, w, ctx, slot_);
  }
  Tensor Input(const models::Layer& layer, const Tensor& x,
               const models::ForwardContext& ctx) override {
    return base_->Input(layer, x, ctx, slot_);
  }

 private:
  SlottedHooks* base_;
  int slot_;
};

SlottedHooks::SlottedHooks(int slots) {
  for (int s = 0; s < slots; ++s) views_.push_back(std::make_unique<View>(this, s));
}

SlottedHooks::~SlottedHooks() = default;

models::QuantHooks* SlottedHooks::At(int slot) const {
  CHECK(slot >= 0 && slot < slots()) << "SlottedHooks::At: slot " << slot << " of " << slots();
  return views_[slot].get();
}

StepBank::StepBank(const std::vector<LayerBits>& layers, const std::vector<std::string>& slot_names,
                   const std::string& tag) {
  for (const LayerBits& l : layers) {
    std::vector<Tensor>& v = steps_[l.index];
    for (const std::string& slot : slot_names) {
      v.push_back(Tensor::Full({1}, 1.f).set_requires_grad(true));
      params_.Add(l.name + "." + tag + (slot.empty() ? "" : "." + slot), v.back());
    }
  }
}

const Tensor& StepBank::at(int layer_index, int slot) const {
  auto it = steps_.find(layer_index);
  CHECK(it != steps_.end()) << "StepBank: layer " << layer_index << " has no step";
  CHECK(slot >= 0 && slot < static_cast<int>(it->second.size())) << "StepBank: slot " << slot;
  return it->second[slot];
}

ActivationSteps::ActivationSteps(const std::vector<LayerBits>& layers,
                                 const std::vector<std::string>& slot_names, ActInit init)
    : steps_(layers, slot_names, "a_step"), init_(init) {
  for (const LayerBits& l : layers) {
    row_[l.index] = static_cast<int>(row_.size());
    bits_[l.index] = l.a_bits;
  }
  flags_ = Tensor::Zeros({static_cast<int64_t>(std::max<size_t>(1, layers.size())),
                          static_cast<int64_t>(slot_names.size())});
  state_.Add("a_step.flags", flags_);
}

Tensor ActivationSteps::Quantize(const models::Layer& layer, const Tensor& x, int slot) {
  auto it = row_.find(layer.info().index);
  if (it == row_.end()) return x;
  const int bits = bits_.at(layer.info().index).at(slot);
  if (bits == 0) return x;
  float& f = flag(it->second, slot);
  const Tensor& s_a = steps_.at(layer.info().index, slot);
  if (f == 0) {
    const float* p = x.data();
    const bool is_signed = std::any_of(p, p + x.numel(), [](float v) { return v < 0; });
    const quant::QuantRange r = is_signed ? quant::SignedRange(bits) : quant::UnsignedRange(bits);
    float s = quant::InitActivationStep(x, bits);  // max|x| / (2^b - 1); NaN stays NaN
    if (init_ == ActInit::kLsq && !std::isnan(s)) {
      StatusOr<float> lsq = quant::LsqInitStep(x, r);
      s = lsq.ok() ? lsq.value() : 0.f;  // not ok: x all zeros
    }
    s_a.data()[0] = s == 0.f ? 1.f / static_cast<float>((1 << bits) - 1) : s;
    f = is_signed ? 2.f : 1.f;
  }
  return Apply(layer, x, slot);
}

Tensor ActivationSteps::Apply(const models::Layer& layer, const Tensor& x, int slot) const {
  auto it = row_.find(layer.info().index);
  if (it == row_.end()) return x;
  const int bits = bits_.at(layer.info().index).at(slot);
  if (bits == 0) return x;
  const float f = flag(it->second, slot);
  CHECK(f != 0) << "ActivationSteps::Apply: " << layer.info().name << " slot " << slot
                << " has no step yet ---> HINT: Quantize sets it from the first input";
  const quant::QuantRange r = f == 2 ? quant::SignedRange(bits) : quant::UnsignedRange(bits);
  return quant::LsqQuantize(x, steps_.at(layer.info().index, slot), r,
                            quant::LsqActivationGradScale(x, r));
}

void ActivationSteps::Reset() {
  std::memset(flags_.data(), 0, sizeof(float) * static_cast<size_t>(flags_.numel()));
}

bool ActivationSteps::initialised(int slot) const {
  for (const auto& [index, row] : row_) {
    if (bits_.at(index).at(slot) != 0 && flag(row, slot) == 0) return false;
  }
  return true;
}

bool ActivationSteps::is_signed(int layer_index, int slot) const {
  auto it = row_.find(layer_index);
  CHECK(it != row_.end()) << "ActivationSteps: layer " << layer_index << " has no quantizer";
  CHECK(slot >= 0 && slot < flags_.dim(1)) << "ActivationSteps: slot " << slot;
  return flag(it->second, slot) == 2.f;
}

namespace {

// (variant-0 tensor, variant-v tensor) pairs of every BN's affine parameters.
template <typename Fn>
void ForAffine(const models::Network& net, Fn fn) {
  for (const models::Norm* n : net.norms()) {
    for (int v = 1; v < n->variants(); ++v) {
      fn(n->bn(0).weight, n->bn(v).weight);
      fn(n->bn(0).bias, n->bn(v).bias);
    }
  }
}

}  // namespace

void BnSlots::TieGrads(const models::Network& net) const {
  if (mode_ != BnMode::kSharedAffine) return;
  ForAffine(net, [](const Tensor& base, const Tensor& other) {
    if (!other.grad().defined()) return;
    Tensor b = base;  // a handle: sets the shared tensor's grad
    if (!b.grad().defined()) b.mutable_grad() = Tensor::Zeros(b.shape());
    float* g0 = base.grad().data();
    float* g = other.grad().data();
    for (int64_t i = 0; i < base.numel(); ++i) g0[i] += g[i], g[i] = 0;
  });
}

void BnSlots::TieValues(const models::Network& net) const {
  if (mode_ != BnMode::kSharedAffine) return;
  ForAffine(net, [](const Tensor& base, const Tensor& other) { other.CopyFrom(base); });
}

}  // namespace moo
}  // namespace strata
