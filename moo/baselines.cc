// Ascending-layer training and multi-layer co-training (baselines.h; seed 001 Sec. 3.3).
#include "moo/baselines.h"

#include <cmath>
#include <set>

#include "moo/lsq.h"
#include "quant/quant.h"

namespace strata {
namespace moo {

Status ValidateNested(const NestedOptions& o, const std::string& field) {
  STRATA_RETURN_IF_ERROR(quant::ValidateBits(o.basic_bits, field + ".basic_bits"));
  STRATA_RETURN_IF_ERROR(quant::ValidateBits(o.max_bits, field + ".max_bits"));
  if (o.max_bits <= o.basic_bits) {
    return InvalidArgumentError(field + ".max_bits: " + std::to_string(o.max_bits) +
                                " must be above basic_bits " + std::to_string(o.basic_bits));
  }
  return Status::Ok();
}

namespace {

StatusOr<NestedOptions> NestedFrom(int basic_bits, int max_bits, const std::string& field) {
  NestedOptions o;
  o.basic_bits = OrPaper(basic_bits, quant::kPaperBasicBits);
  o.max_bits = OrPaper(max_bits, quant::kPaperSourceBits);
  STRATA_RETURN_IF_ERROR(ValidateNested(o, field));
  return o;
}

}  // namespace

StatusOr<NestedOptions> NestedOptionsFrom(const AscendingRecipeConfig& c) {
  return NestedFrom(c.basic_bits(), c.max_bits(), "ascending");
}

StatusOr<NestedOptions> NestedOptionsFrom(const CotrainRecipeConfig& c) {
  return NestedFrom(c.basic_bits(), c.max_bits(), "cotrain");
}

std::vector<std::string> NestedSlotNames(const NestedOptions& o) {
  std::vector<std::string> names;
  for (int b = o.basic_bits; b <= o.max_bits; ++b) {
    names.push_back("w" + std::to_string(b) + "a" + std::to_string(b));
  }
  return names;
}

namespace {

std::vector<int> SlotBits(const NestedOptions& o) {
  std::vector<int> bits;
  for (int b = o.basic_bits; b <= o.max_bits; ++b) bits.push_back(b);
  return bits;
}

}  // namespace

NestedHooks::NestedHooks(const NestedOptions& o, const models::Network& net)
    : SlottedHooks(o.slots()),
      o_(o),
      layers_(UniformSlots(net, SlotBits(o))),
      slot_names_(NestedSlotNames(o)),
      w_step_(layers_, {""}, "w_step"),
      r_(o.slots() - 1),
      act_(layers_, slot_names_, ActInit::kLsq) {
  for (int k = 1; k < o.slots(); ++k) {
    for (const LayerBits& l : layers_) {
      const Tensor& w = net.layers().at(l.index)->weight();
      Tensor r = Tensor::Zeros(w.shape()).set_requires_grad(true);
      r_[k - 1][l.index] = r;
      r_params_.Add(l.name + ".enhance_r." + slot_names_[k], r);
    }
  }
}

// ŵ_{b0+k} = ŵ_{b0+k-1} + s_b·1[r_b / s_b > 0], s_b = s_w / 2^k (Sec. 3.3, w̄_i = 2 w̄_{i-1} + b_i).
Tensor NestedHooks::Chain(int index, const Tensor& w, int k) const {
  const Tensor& s_w = w_step_.at(index, 0);
  const quant::QuantRange range = quant::SignedRange(o_.basic_bits);
  Tensor w_hat = quant::LsqQuantize(w, s_w, range, quant::LsqWeightGradScale(w, range));
  for (int j = 1; j <= k; ++j) {
    const Tensor s_b = Scale(s_w, std::ldexp(1.f, -j));
    const Tensor e = quant::HeavisideSte(Div(r_[j - 1].at(index), s_b.Detach()));
    w_hat = Add(w_hat, Mul(s_b, e));
  }
  return w_hat;
}

Tensor NestedHooks::Weight(const models::Layer& layer, const Tensor& w,
                           const models::ForwardContext&, int slot) {
  const int i = layer.info().index;
  if (!w_step_.contains(i)) return w;  // first conv, last linear: FP
  if (slot == 0 || slot != frozen_slot_) return Chain(i, w, slot);
  const float s_b = std::ldexp(w_step_.at(i, 0).item(), -slot);
  const Tensor e = quant::HeavisideSte(Scale(r_[slot - 1].at(i), 1.f / s_b));
  return Add(frozen_.at(i), Scale(e, s_b));
}

Tensor NestedHooks::Input(const models::Layer& layer, const Tensor& x,
                          const models::ForwardContext&, int slot) {
  return act_.Quantize(layer, x, slot);
}

Status NestedHooks::InitWeightSteps(const models::Network& net) {
  for (const LayerBits& l : layers_) {
    StatusOr<float> s0 = quant::LsqInitStep(net.layers().at(l.index)->weight(),
                                            quant::SignedRange(o_.basic_bits));
    if (!s0.ok()) return s0.status().Annotate("weight step of layer '" + l.name + "': ");
    w_step_.at(l.index, 0).data()[0] = s0.value();
  }
  return Status::Ok();
}

void NestedHooks::FreezeBelow(int k, bool init_r, const models::Network& net) {
  CHECK(k >= 1 && k < o_.slots()) << "FreezeBelow: slot " << k;
  NoGradGuard no_grad;
  frozen_.clear();
  frozen_slot_ = k;
  for (const LayerBits& l : layers_) {
    const Tensor& w = net.layers().at(l.index)->weight();
    const Tensor prev = Chain(l.index, w, k - 1).Clone();
    frozen_[l.index] = prev;
    if (!init_r) continue;
    const float half = std::ldexp(w_step_.at(l.index, 0).item(), -k) / 2;
    r_[k - 1].at(l.index).CopyFrom(AddScalar(Sub(w, prev), -half));
  }
}

void NestedHooks::Unfreeze() {
  frozen_.clear();
  frozen_slot_ = 0;
}

ParameterSet NestedHooks::WeightParameters(int slot) const {
  if (slot == 0) return w_step_.Parameters();
  const std::string suffix = ".enhance_r." + slot_names_.at(slot);
  return r_params_.Filter([&](const std::string& n) {
    return n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

ParameterSet NestedHooks::ActParameters(int slot) const {
  const std::string suffix = ".a_step." + slot_names_.at(slot);
  return act_.Parameters().Filter([&](const std::string& n) {
    return n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

ParameterSet NestedHooks::Parameters() const {
  ParameterSet p = w_step_.Parameters();
  p.AddAll(r_params_);
  p.AddAll(act_.Parameters());
  return p;
}

namespace {

std::vector<EvalPoint> SlotEvals(const NestedHooks& hooks, int last_slot) {
  const std::vector<std::string> names = NestedSlotNames(hooks.options());
  std::vector<EvalPoint> evals;
  for (int s = 0; s <= last_slot; ++s) {
    EvalPoint p;
    p.name = names[s];
    p.ctx.hooks = hooks.At(s);
    p.ctx.variant = s;
    evals.push_back(p);
  }
  return evals;
}

}  // namespace

StatusOr<std::unique_ptr<AscendingRecipe>> AscendingRecipe::Create(const NestedOptions& o,
                                                                   const models::Network& net) {
  STRATA_RETURN_IF_ERROR(ValidateNested(o, "ascending"));
  return std::unique_ptr<AscendingRecipe>(
      new AscendingRecipe(std::make_unique<NestedHooks>(o, net)));
}

Status AscendingRecipe::BeginStage(int stage, bool resumed, const models::Network& net) {
  stage_ = stage;
  frozen_.clear();
  if (stage == 0) return resumed ? Status::Ok() : hooks_->InitWeightSteps(net);
  if (!resumed) {  // the stage's BN starts from the previous width's
    for (const models::Norm* n : net.norms()) {
      const nn::BatchNorm2d &from = n->bn(stage - 1), &to = n->bn(stage);
      for (auto [dst, src] : {std::pair(to.weight, from.weight), std::pair(to.bias, from.bias),
                              std::pair(to.running_mean, from.running_mean),
                              std::pair(to.running_var, from.running_var)}) {
        dst.CopyFrom(src);
      }
    }
  }
  hooks_->FreezeBelow(stage, /*init_r=*/!resumed, net);
  // Everything but r_b, slot `stage`'s activation steps and BN variant `stage` is frozen.
  std::set<const void*> trainable;
  for (const ParameterSet& p : {hooks_->WeightParameters(stage), hooks_->ActParameters(stage)}) {
    for (const Tensor& t : p.tensors()) trainable.insert(t.impl().get());
  }
  for (const models::Norm* n : net.norms()) {
    trainable.insert(n->bn(stage).weight.impl().get());
    trainable.insert(n->bn(stage).bias.impl().get());
  }
  const ParameterSet recipe_params = hooks_->Parameters();
  for (const ParameterSet* p : {&net.params(), &recipe_params}) {
    for (const Tensor& t : p->tensors()) {
      if (trainable.count(t.impl().get()) == 0) frozen_.emplace_back(t, t.Clone());
    }
  }
  return Status::Ok();
}

StepMetrics AscendingRecipe::Step(const StepInput& in) {
  models::ForwardContext ctx = in.ctx;
  ctx.hooks = hooks_->At(stage_);
  ctx.variant = stage_;
  return CrossEntropyStep(in, ctx);
}

void AscendingRecipe::AfterStep(const models::Network&) {
  for (const auto& [t, value] : frozen_) t.CopyFrom(value);
}

std::vector<EvalPoint> AscendingRecipe::Evals() const { return SlotEvals(*hooks_, stage_); }

StatusOr<std::unique_ptr<CotrainRecipe>> CotrainRecipe::Create(const NestedOptions& o,
                                                               const models::Network& net) {
  STRATA_RETURN_IF_ERROR(ValidateNested(o, "cotrain"));
  return std::unique_ptr<CotrainRecipe>(new CotrainRecipe(std::make_unique<NestedHooks>(o, net)));
}

Status CotrainRecipe::BeginStage(int stage, bool resumed, const models::Network& net) {
  if (stage != 0 || resumed) return Status::Ok();
  STRATA_RETURN_IF_ERROR(hooks_->InitWeightSteps(net));
  // r_b from the initial chain, lowest first (each builds on the one below).
  for (int k = 1; k < hooks_->options().slots(); ++k) hooks_->FreezeBelow(k, true, net);
  hooks_->Unfreeze();
  return Status::Ok();
}

StepMetrics CotrainRecipe::Step(const StepInput& in) {
  Tensor total;
  StepMetrics m;
  m.count = in.batch_size();
  for (int s = 0; s < hooks_->options().slots(); ++s) {
    models::ForwardContext ctx = in.ctx;
    ctx.hooks = hooks_->At(s);
    ctx.variant = s;
    const Tensor logits = in.net->Forward(in.images, ctx);
    const Tensor loss = CrossEntropy(logits, *in.labels);
    total = s == 0 ? loss : Add(total, loss);
    m.correct = CountTop1(logits, *in.labels);
  }
  m.loss = total.item();
  if (std::isfinite(m.loss)) Backward({total});
  return m;
}

std::vector<EvalPoint> CotrainRecipe::Evals() const {
  return SlotEvals(*hooks_, hooks_->options().slots() - 1);
}

}  // namespace moo
}  // namespace strata
