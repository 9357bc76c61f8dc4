// QAT + fine-tune and AdaBits-style training, weight storage per scheme (qat_baselines.h).
#include "moo/qat_baselines.h"

#include <cmath>
#include <set>

#include "quant/quant.h"

namespace strata {
namespace moo {
namespace {

Status ValidateWidths(int b0, int top, const std::string& recipe, const std::string& top_name) {
  if (b0 < 1 || b0 > 15) {
    return InvalidArgumentError(recipe + ".basic_bits: " + std::to_string(b0) +
                                " must be in [1, 15]");
  }
  if (top <= b0 || top > 16) {
    return InvalidArgumentError(recipe + "." + top_name + ": " + std::to_string(top) +
                                " must be in [basic_bits + 1 = " + std::to_string(b0 + 1) +
                                ", 16]");
  }
  return Status::Ok();
}

std::vector<int> Widths(int b0, int top) {
  std::vector<int> w;
  for (int b = b0; b <= top; ++b) w.push_back(b);
  return w;
}

std::vector<std::string> WidthNames(int b0, int top) {
  std::vector<std::string> names;
  for (int b = b0; b <= top; ++b)
    names.push_back("w" + std::to_string(b) + "a" + std::to_string(b));
  return names;
}

// BN variants per site (every site has the same number).
int BnVariants(const models::Network& net) {
  return net.norms().empty() ? 1 : net.norms().front()->variants();
}

EvalPoint WidthEval(const SlottedHooks& hooks, int slot, int bits) {
  EvalPoint p;
  p.name = "w" + std::to_string(bits) + "a" + std::to_string(bits);
  p.ctx.hooks = hooks.At(slot);
  p.ctx.variant = slot;
  return p;
}

// Σ over slots of CE at each slot (ctx hooks/variant per slot); backward when finite.
StepMetrics SummedStep(const StepInput& in, const SlottedHooks& hooks, int first, int last) {
  Tensor total;
  StepMetrics m;
  m.count = in.batch_size();
  for (int s = first; s <= last; ++s) {
    models::ForwardContext ctx = in.ctx;
    ctx.hooks = hooks.At(s);
    ctx.variant = s;
    const Tensor logits = in.net->Forward(in.images, ctx);
    const Tensor loss = CrossEntropy(logits, *in.labels);
    total = s == first ? loss : Add(total, loss);
    m.correct = CountTop1(logits, *in.labels);
  }
  m.loss = total.item();
  if (std::isfinite(m.loss)) Backward({total});
  return m;
}

}  // namespace

// ---- QAT + fine-tune ----

// Slot k = width b0 + k. The top slot is LSQ at N (learnable w, s_N); lower slots use the
// downsampled codes of the current w and s_N, computed once when stage 1 begins.
class QatFinetuneRecipe::Hooks : public SlottedHooks {
 public:
  Hooks(const QatFinetuneOptions& o, const models::Network& net)
      : SlottedHooks(o.slots()),
        o_(o),
        layers_(UniformSlots(net, Widths(o.basic_bits, o.source_bits))),
        w_step_(layers_, {""}, "w_step"),
        act_(layers_, WidthNames(o.basic_bits, o.source_bits), ActInit::kLsq) {}

  Tensor Weight(const models::Layer& layer, const Tensor& w, const models::ForwardContext&,
                int slot) override {
    const int i = layer.info().index;
    if (!w_step_.contains(i)) return w;  // FP first/last
    if (slot == o_.slots() - 1) {
      const quant::QuantRange r = quant::SignedRange(o_.source_bits);  // Eq. 1
      return quant::LsqQuantize(w, w_step_.at(i, 0), r, quant::LsqWeightGradScale(w, r));
    }
    auto it = downsampled_.find(i);
    CHECK(it != downsampled_.end()) << "QAT + FT: width " << o_.basic_bits + slot
                                    << " is used before stage 1 downsampled the codes";
    return it->second.at(slot);
  }

  Tensor Input(const models::Layer& layer, const Tensor& x, const models::ForwardContext&,
               int slot) override {
    return act_.Quantize(layer, x, slot);
  }

  Status InitWeightSteps(const models::Network& net) {
    for (const LayerBits& l : layers_) {
      const Tensor& w = net.layers().at(l.index)->weight();
      StatusOr<float> s0 = quant::LsqInitStep(w, quant::SignedRange(o_.source_bits));
      if (!s0.ok()) return s0.status().Annotate("QAT + FT step of layer '" + l.name + "': ");
      w_step_.at(l.index, 0).data()[0] = s0.value();
    }
    return Status::Ok();
  }

  // ŵ_b = 2^(N-b) s_N floor(q_N / 2^(N-b)) of every lower width (Eqs. 3, 5; no compensation).
  void Downsample(const models::Network& net) {
    downsampled_.clear();
    for (const LayerBits& l : layers_) {
      const Tensor& w = net.layers().at(l.index)->weight();
      const float s = w_step_.at(l.index, 0).data()[0];
      std::vector<Tensor>& v = downsampled_[l.index];
      for (int b = o_.basic_bits; b < o_.source_bits; ++b) {
        v.push_back(quant::VerticalDequantize(quant::VerticalCodes(w, s, o_.source_bits, b),
                                              w.shape(), s, o_.source_bits, b, false));
      }
    }
  }

  float source_step(int layer_index) const { return w_step_.at(layer_index, 0).data()[0]; }
  ParameterSet Parameters() const {
    ParameterSet p = w_step_.Parameters();
    p.AddAll(act_.Parameters());
    return p;
  }
  const ParameterSet& ActParameters() const { return act_.Parameters(); }
  const ParameterSet& State() const { return act_.State(); }

 private:
  QatFinetuneOptions o_;
  std::vector<LayerBits> layers_;
  StepBank w_step_;
  ActivationSteps act_;
  std::map<int, std::vector<Tensor>> downsampled_;  // layer index -> ŵ_b, b = b0 .. N-1
};

QatFinetuneRecipe::QatFinetuneRecipe(const QatFinetuneOptions& o, const models::Network& net)
    : o_(o), hooks_(std::make_unique<Hooks>(o, net)) {}

QatFinetuneRecipe::~QatFinetuneRecipe() = default;

StatusOr<QatFinetuneOptions> QatFinetuneOptionsFrom(const QatFinetuneRecipeConfig& c) {
  QatFinetuneOptions o;
  o.basic_bits = OrPaper(c.basic_bits(), quant::kPaperBasicBits);
  o.source_bits = OrPaper(c.source_bits(), quant::kPaperSourceBits);
  STRATA_RETURN_IF_ERROR(ValidateWidths(o.basic_bits, o.source_bits, "qat_finetune", "source_bits"));
  return o;
}

StatusOr<AdabitsOptions> AdabitsOptionsFrom(const AdabitsRecipeConfig& c) {
  AdabitsOptions o;
  o.basic_bits = OrPaper(c.basic_bits(), quant::kPaperBasicBits);
  o.max_bits = OrPaper(c.max_bits(), quant::kPaperSourceBits);
  STRATA_RETURN_IF_ERROR(ValidateWidths(o.basic_bits, o.max_bits, "adabits", "max_bits"));
  return o;
}

StatusOr<std::unique_ptr<QatFinetuneRecipe>> QatFinetuneRecipe::Create(const QatFinetuneOptions& o,
                                                                       const models::Network& net) {
  STRATA_RETURN_IF_ERROR(
      ValidateWidths(o.basic_bits, o.source_bits, "qat_finetune", "source_bits"));
  if (BnVariants(net) != o.slots()) {
    return InvalidArgumentError("qat_finetune: the network has " + std::to_string(BnVariants(net)) +
                                " BN variants, the recipe needs " + std::to_string(o.slots()) +
                                " (one per width)");
  }
  return std::unique_ptr<QatFinetuneRecipe>(new QatFinetuneRecipe(o, net));
}

Status QatFinetuneRecipe::BeginStage(int stage, bool resumed, const models::Network& net) {
  stage_ = stage;
  frozen_.clear();
  if (stage == 0) return resumed ? Status::Ok() : hooks_->InitWeightSteps(net);
  const int top = o_.slots() - 1;
  if (!resumed) {  // the lower widths' BNs start from the N-bit one
    for (const models::Norm* n : net.norms()) {
      const nn::BatchNorm2d& from = n->bn(top);
      for (int v = 0; v < top; ++v) {
        const nn::BatchNorm2d& to = n->bn(v);
        for (auto [dst, src] : {std::pair(to.weight, from.weight), std::pair(to.bias, from.bias),
                                std::pair(to.running_mean, from.running_mean),
                                std::pair(to.running_var, from.running_var)}) {
          dst.CopyFrom(src);
        }
      }
    }
  }
  hooks_->Downsample(net);
  // Trainable in stage 1: the lower widths' BN affine and activation steps.
  std::set<const void*> trainable;
  for (const NamedTensor& t : hooks_->ActParameters().entries()) {
    if (t.name.substr(t.name.rfind('.') + 1) != WidthNames(o_.source_bits, o_.source_bits)[0]) {
      trainable.insert(t.tensor.impl().get());
    }
  }
  for (const models::Norm* n : net.norms()) {
    for (int v = 0; v < top; ++v) {
      trainable.insert(n->bn(v).weight.impl().get());
      trainable.insert(n->bn(v).bias.impl().get());
    }
  }
  const ParameterSet recipe_params = hooks_->Parameters();
  for (const ParameterSet* p : {&net.params(), &recipe_params}) {
    for (const Tensor& t : p->tensors()) {
      if (trainable.count(t.impl().get()) == 0) frozen_.emplace_back(t, t.Clone());
    }
  }
  return Status::Ok();
}

StepMetrics QatFinetuneRecipe::Step(const StepInput& in) {
  const int top = o_.slots() - 1;
  if (stage_ == 0) return SummedStep(in, *hooks_, top, top);
  return SummedStep(in, *hooks_, 0, top - 1);
}

void QatFinetuneRecipe::AfterStep(const models::Network&) {
  for (const auto& [t, value] : frozen_) t.CopyFrom(value);
}

std::vector<EvalPoint> QatFinetuneRecipe::Evals() const {
  std::vector<EvalPoint> evals;
  for (int s = stage_ == 0 ? o_.slots() - 1 : 0; s < o_.slots(); ++s) {
    evals.push_back(WidthEval(*hooks_, s, o_.basic_bits + s));
  }
  return evals;
}

ParameterSet QatFinetuneRecipe::Parameters() const { return hooks_->Parameters(); }
ParameterSet QatFinetuneRecipe::State() const { return hooks_->State(); }

models::ForwardContext QatFinetuneRecipe::WidthContext(int bits) const {
  CHECK(bits >= o_.basic_bits && bits <= o_.source_bits) << "QAT + FT: no width " << bits;
  return WidthEval(*hooks_, bits - o_.basic_bits, bits).ctx;
}

float QatFinetuneRecipe::source_step(int layer_index) const {
  return hooks_->source_step(layer_index);
}

// ---- AdaBits-style ----

StatusOr<std::unique_ptr<AdabitsRecipe>> AdabitsRecipe::Create(const AdabitsOptions& o,
                                                               const models::Network& net) {
  STRATA_RETURN_IF_ERROR(ValidateWidths(o.basic_bits, o.max_bits, "adabits", "max_bits"));
  if (BnVariants(net) != o.slots()) {
    return InvalidArgumentError("adabits: the network has " + std::to_string(BnVariants(net)) +
                                " BN variants, the recipe needs " + std::to_string(o.slots()) +
                                " (one per width)");
  }
  auto hooks = std::make_unique<LsqHooks>(UniformSlots(net, Widths(o.basic_bits, o.max_bits)),
                                          WidthNames(o.basic_bits, o.max_bits));
  return std::unique_ptr<AdabitsRecipe>(new AdabitsRecipe(o, std::move(hooks)));
}

Status AdabitsRecipe::BeginStage(int stage, bool resumed, const models::Network& net) {
  if (stage != 0 || resumed) return Status::Ok();
  return hooks_->InitWeightSteps(net);  // every width's s_w from the FP weights (LSQ init)
}

StepMetrics AdabitsRecipe::Step(const StepInput& in) {
  return SummedStep(in, *hooks_, 0, o_.slots() - 1);
}

std::vector<EvalPoint> AdabitsRecipe::Evals() const {
  std::vector<EvalPoint> evals;
  for (int s = 0; s < o_.slots(); ++s) evals.push_back(WidthEval(*hooks_, s, o_.basic_bits + s));
  return evals;
}

models::ForwardContext AdabitsRecipe::WidthContext(int bits) const {
  CHECK(bits >= o_.basic_bits && bits <= o_.max_bits) << "AdaBits: no width " << bits;
  return WidthEval(*hooks_, bits - o_.basic_bits, bits).ctx;
}

// ---- storage ----

int64_t WeightStorageBits(const models::Network& net, WeightStorage scheme,
                          const std::vector<int>& widths) {
  CHECK(!widths.empty()) << "WeightStorageBits: no widths";
  int64_t nq = 0, nfp = 0;
  for (const models::Layer* l : net.layers()) {
    (l->info().is_first || l->info().is_last ? nfp : nq) += l->weight().numel();
  }
  switch (scheme) {
    case WeightStorage::kVertical:
      return static_cast<int64_t>(widths.back()) * nq + 32 * nfp;
    case WeightStorage::kPerBit: {
      int64_t total = 0;
      for (int b : widths) total += b * nq + 32 * nfp;
      return total;
    }
    case WeightStorage::kFpWeights:
      return 32 * (nq + nfp);
  }
  return 0;
}

}  // namespace moo
}  // namespace strata
