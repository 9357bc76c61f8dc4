// once-QAT: the joint training of every bit-width of a vertical-layered model (once_qat.h).
#include "moo/once_qat.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "quant/quant.h"

namespace strata {
namespace moo {

std::string WidthName(int bits) {
  return "w" + std::to_string(bits) + "a" + std::to_string(bits);
}

// ŵ_b of the quantized layers (VerticalQuantize, Eqs. 1, 3, 5, 6) and x̂ of their inputs
// (LSQ at width b, Eq. 1); the first and last layers pass through (FP, shared).
class OnceQatRecipe::WidthHooks : public models::QuantHooks {
 public:
  WidthHooks(OnceQatRecipe* recipe, int bits) : r_(recipe), bits_(bits) {}

  Tensor Weight(const models::Layer& layer, const Tensor& w,
                const models::ForwardContext&) override {
    const int q = r_->position_[layer.info().index];
    if (q < 0) {
      const Tensor* own = r_->EndWeight(layer.info().index, bits_);
      return own != nullptr ? *own : w;
    }
    const OnceQatOptions& o = r_->options_;
    return quant::VerticalQuantize(w, r_->s_w_[q], o.source_bits, bits_, o.compensation,
                                   r_->grad_scale_[q]);
  }

  // x̂ = LSQ(x) with width b's step (quant_state.h's ActivationSteps, options.act_init).
  Tensor Input(const models::Layer& layer, const Tensor& x,
               const models::ForwardContext&) override {
    return r_->act_.Quantize(layer, x, r_->Index(bits_));
  }

 private:
  OnceQatRecipe* r_;
  int bits_;
};

OnceQatRecipe::OnceQatRecipe(const OnceQatOptions& options, const models::Network& net)
    : options_(options), bn_(options.bn, options.num_widths()) {
  const int widths = options.num_widths();
  position_.assign(net.layers().size(), -1);
  for (const models::Layer* l : net.layers()) {
    if (l->info().is_first || l->info().is_last) {
      if (options.per_bit_ends) ends_.push_back(l->info().index);
      continue;
    }
    position_[l->info().index] = static_cast<int>(quantized_.size());
    quantized_.push_back(l->info().index);
  }
  const int nq = static_cast<int>(quantized_.size());
  for (int q = 0; q < nq; ++q) {
    const models::Layer& l = *net.layers()[quantized_[q]];
    grad_scale_.push_back(quant::VerticalGradScale(l.weight().numel(), options.source_bits));
    s_w_.push_back(Tensor::Full({1}, 1.f).set_requires_grad(true));
    params_.Add("onceqat.s_w." + l.info().name, s_w_.back());
  }
  std::vector<int> bits;
  std::vector<std::string> width_names;
  for (int i = 0; i < widths; ++i) {
    bits.push_back(options.basic_bits + i);
    width_names.push_back(WidthName(options.basic_bits + i));
  }
  act_ = ActivationSteps(UniformSlots(net, bits), width_names, options.act_init);
  params_.AddAll(act_.Parameters());
  params_.AddAll(act_.State());  // the ranges travel with the weights (export)
  for (int i = 0; i < widths; ++i) {
    const std::string prefix = "onceqat." + width_names[i] + ".";
    hooks_.push_back(std::make_unique<WidthHooks>(this, options.basic_bits + i));
    if (i == 0) continue;
    end_copy_.emplace_back();
    for (int e : ends_) {
      const models::Layer& l = *net.layers()[e];
      end_copy_.back().push_back(Tensor::Zeros(l.weight().shape()).set_requires_grad(true));
      params_.Add(prefix + l.info().name + ".weight", end_copy_.back().back());
    }
  }
  // Width-specific: BN (unless one BN serves every width) and the per-bit first/last
  // weights (width b0's are the network's own).
  std::set<std::string> specific;
  for (const models::Norm* n : net.norms()) {
    for (int v = 0; v < n->variants() && options.bn != BnMode::kShared; ++v) {
      specific.insert(n->bn(v).name + ".weight");
      specific.insert(n->bn(v).name + ".bias");
    }
  }
  for (int e : ends_) specific.insert(net.layers()[e]->info().name + ".weight");
  for (const NamedTensor& p : net.params().entries()) {
    if (specific.count(p.name) == 0) shared_.push_back(p.tensor);
  }
  for (const Tensor& s : s_w_) shared_.push_back(s);
  alpha_sum_.assign(widths, 0.0);
  loss_sum_.assign(widths, 0.0);
  grad_norm_sum_.assign(widths, 0.0);
  alpha_sq_sum_.assign(widths, 0.0);
}

int64_t BnParameterCount(const models::Network& net, BnMode mode, int widths) {
  int64_t c = 0;
  for (const models::Norm* n : net.norms()) c += n->bn(0).weight.numel();
  switch (mode) {
    case BnMode::kShared: return 4 * c;
    case BnMode::kSharedAffine: return 2 * c + 2 * c * widths;
    case BnMode::kIndividual: return 4 * c * widths;
  }
  return 0;
}

int64_t OnceQatRecipe::ExtraEndParameters() const {
  int64_t n = 0;
  for (const std::vector<Tensor>& w : end_copy_) {
    for (const Tensor& t : w) n += t.numel();
  }
  return n;
}

const Tensor* OnceQatRecipe::EndWeight(int layer_index, int bits) const {
  const int i = Index(bits);
  if (i <= 0) return nullptr;
  for (size_t k = 0; k < ends_.size(); ++k) {
    if (ends_[k] == layer_index) return &end_copy_[i - 1][k];
  }
  return nullptr;
}

OnceQatRecipe::~OnceQatRecipe() = default;

Status ValidateOnceQat(const OnceQatOptions& o) {
  STRATA_RETURN_IF_ERROR(CheckInRange("once_qat.basic_bits", o.basic_bits, 1, 8));
  return CheckInRange("once_qat.source_bits", o.source_bits, o.basic_bits, 8);
}

StatusOr<OnceQatOptions> OnceQatOptionsFrom(const OnceQatRecipeConfig& c) {
  OnceQatOptions o;
  o.basic_bits = OrPaper(c.basic_bits(), quant::kPaperBasicBits);
  o.source_bits = OrPaper(c.source_bits(), quant::kPaperSourceBits);
  o.compensation = !c.without_compensation();
  o.moo = c.moo() == OnceQatRecipeConfig::MGD ? MooMethod::kMgd
                                              : MooMethod::kUnitaryScalarization;
  o.kd = c.self_kd() == OnceQatRecipeConfig::COSINE ? KdKind::kCosine
         : c.self_kd() == OnceQatRecipeConfig::KL   ? KdKind::kKl
                                                    : KdKind::kNone;
  if (!OnceQatRecipeConfig::Bn_IsValid(c.bn())) {
    return InvalidArgumentError("once_qat.bn: " + std::to_string(c.bn()) +
                                " is not a BN mode (INDIVIDUAL, SHARED, SHARED_AFFINE)");
  }
  o.bn = c.bn() == OnceQatRecipeConfig::SHARED          ? BnMode::kShared
         : c.bn() == OnceQatRecipeConfig::SHARED_AFFINE ? BnMode::kSharedAffine
                                                        : BnMode::kIndividual;
  o.per_bit_ends = c.per_bit_first_last();
  o.act_init = c.activation_init() == OnceQatRecipeConfig::LSQ ? ActInit::kLsq : ActInit::kMax;
  STRATA_RETURN_IF_ERROR(ValidateOnceQat(o));
  return o;
}

StatusOr<std::unique_ptr<OnceQatRecipe>> OnceQatRecipe::Create(const OnceQatOptions& o,
                                                              const models::Network& net) {
  STRATA_RETURN_IF_ERROR(ValidateOnceQat(o));
  for (const models::Norm* n : net.norms()) {
    if (n->variants() != o.bn_variants()) {
      return InvalidArgumentError(
          "once_qat: BN site " + n->name() + " has " + std::to_string(n->variants()) +
          " variants, need " + std::to_string(o.bn_variants()) +
          (o.bn == BnMode::kShared ? " (one BN shared by every bit-width)"
                                   : " (one per bit-width)"));
    }
  }
  std::unique_ptr<OnceQatRecipe> r(new OnceQatRecipe(o, net));
  if (r->quantized_.empty()) {
    return InvalidArgumentError("once_qat: the network has no layer besides the first and last "
                                "to quantize");
  }
  return r;
}

Status OnceQatRecipe::BeginStage(int, bool resumed, const models::Network& net) {
  if (resumed) return Status::Ok();
  // s_w = 2 mean|w| / sqrt(2^N - 1) from the (pretrained) FP weights (Sec. 6.1); a zero
  // layer gets 1 (Decision, as for activations).
  for (size_t q = 0; q < quantized_.size(); ++q) {
    const float s = quant::InitSourceStep(net.layers()[quantized_[q]]->weight(),
                                          options_.source_bits);
    s_w_[q].data()[0] = s == 0.f ? 1.f : s;
  }
  for (const std::vector<Tensor>& copies : end_copy_) {
    for (size_t k = 0; k < ends_.size(); ++k) copies[k].CopyFrom(net.layers()[ends_[k]]->weight());
  }
  bn_.TieValues(net);
  act_.Reset();  // s_a from the first training step's inputs
  return Status::Ok();
}

void OnceQatRecipe::AfterStep(const models::Network& net) { bn_.TieValues(net); }

void OnceQatRecipe::TieAffineGrads(const models::Network& net) const {
  if (options_.bn != BnMode::kSharedAffine) return;
  for (const models::Norm* n : net.norms()) {
    for (int v = 0; v < n->variants(); ++v) {
      for (const Tensor& p : {n->bn(v).weight, n->bn(v).bias}) {
        if (!p.grad().defined()) continue;
        float* g = p.grad().data();
        for (int64_t k = 0; k < p.numel(); ++k) g[k] = static_cast<float>(g[k] * last_alpha_[v]);
      }
    }
  }
  bn_.TieGrads(net);
}

void OnceQatRecipe::JointBackward(const std::vector<Tensor>& losses,
                                  const models::Network& net) {
  const int t = static_cast<int>(losses.size());
  if (options_.moo == MooMethod::kUnitaryScalarization) {
    // US (Eq. 9 with alpha_b = 1/T): one backward of every loss; width-specific tensors
    // hold dL_b, the shared ones sum_b dL_b, scaled here by 1/T.
    Backward(losses);
    last_alpha_ = UniformWeights(t);
    for (const Tensor& p : shared_) {
      if (!p.grad().defined()) continue;
      float* g = p.grad().data();
      for (int64_t k = 0; k < p.numel(); ++k) g[k] = static_cast<float>(g[k] / t);
    }
    TieAffineGrads(net);
    return;
  }
  // MGD (Eq. 10): per-width gradients of the shared parameters (one backward per width,
  // which also gives the width-specific parameters their dL_b), alpha from their Gram
  // matrix, shared .grad = sum_b alpha_b g_b (combine.h's worked example).
  const TaskGrads g = BackwardEach(losses, shared_);
  const std::vector<double> gram = GramMatrix(g);
  const MooWeights w = ComputeWeights(MooMethod::kMgd, gram, options_.mgd);
  CombineGradients(g, w.alpha, shared_, GradWrite::kAssign);
  last_alpha_ = w.alpha;
  for (int i = 0; i < t; ++i) grad_norm_sum_[i] += std::sqrt(std::max(0.0, gram[i * t + i]));
  TieAffineGrads(net);
}

void OnceQatRecipe::DecayEndCopies() const {
  const float wd = options_.ends_weight_decay;
  if (wd == 0.f) return;
  for (const std::vector<Tensor>& copies : end_copy_) {
    for (const Tensor& w : copies) {
      if (!w.grad().defined()) continue;
      float* g = w.grad().data();
      const float* p = w.data();
      for (int64_t k = 0; k < w.numel(); ++k) g[k] += wd * p[k];  // optim.h's coupled form
    }
  }
}

StepMetrics OnceQatRecipe::Step(const StepInput& in) {
  const int t = options_.num_widths();
  std::vector<Tensor> logits;
  for (int i = 0; i < t; ++i) {
    models::ForwardContext ctx = in.ctx;
    ctx.variant = bn_.variant(i);
    ctx.hooks = hooks_[i].get();
    logits.push_back(in.net->Forward(in.images, ctx));
  }
  const std::vector<Tensor> losses = SelfKdLosses(logits, *in.labels, options_.kd);
  StepMetrics m;
  m.count = in.batch_size();
  m.correct = CountTop1(logits.back(), *in.labels);  // the N-bit network
  for (const Tensor& l : losses) m.loss += static_cast<double>(l.item()) / t;
  if (!std::isfinite(m.loss)) return m;  // diverged: recorded by the loop
  JointBackward(losses, *in.net);
  DecayEndCopies();
  for (int i = 0; i < t; ++i) {
    alpha_sum_[i] += last_alpha_[i];
    alpha_sq_sum_[i] += last_alpha_[i] * last_alpha_[i];
    loss_sum_[i] += losses[i].item();
  }
  ++steps_in_epoch_;
  return m;
}

std::vector<EvalPoint> OnceQatRecipe::Evals() const {
  std::vector<EvalPoint> evals;
  for (int b = options_.basic_bits; b <= options_.source_bits; ++b) {
    evals.push_back({WidthName(b), WidthContext(b)});
  }
  return evals;
}

models::ForwardContext OnceQatRecipe::WidthContext(int bits) const {
  CHECK(bits >= options_.basic_bits && bits <= options_.source_bits)
      << "OnceQatRecipe::WidthContext: " << bits << " bits is outside the model's widths";
  models::ForwardContext ctx;
  ctx.variant = bn_.variant(Index(bits));
  ctx.hooks = hooks_[Index(bits)].get();
  return ctx;
}

const Tensor& OnceQatRecipe::act_step(int bits, int q) const {
  return act_.step(quantized_.at(q), Index(bits));
}

bool OnceQatRecipe::act_signed(int bits, int q) const {
  return act_.is_signed(quantized_.at(q), Index(bits));
}

std::vector<std::pair<std::string, double>> OnceQatRecipe::TakeEpochMetrics() {
  std::vector<std::pair<std::string, double>> out;
  const double n = static_cast<double>(std::max<int64_t>(1, steps_in_epoch_));
  for (int i = 0; i < options_.num_widths(); ++i) {
    const std::string w = WidthName(options_.basic_bits + i);
    if (options_.moo == MooMethod::kMgd) out.emplace_back("alpha_" + w, alpha_sum_[i] / n);
    out.emplace_back("train_loss_" + w, loss_sum_[i] / n);
  }
  for (int i = 0; i < options_.num_widths() && options_.moo == MooMethod::kMgd; ++i) {
    const std::string w = WidthName(options_.basic_bits + i);
    const double mean = alpha_sum_[i] / n;
    out.emplace_back("alpha_std_" + w, std::sqrt(std::max(0.0, alpha_sq_sum_[i] / n - mean * mean)));
    out.emplace_back("grad_norm_" + w, grad_norm_sum_[i] / n);
  }
  alpha_sum_.assign(alpha_sum_.size(), 0.0);
  alpha_sq_sum_.assign(alpha_sq_sum_.size(), 0.0);
  grad_norm_sum_.assign(grad_norm_sum_.size(), 0.0);
  loss_sum_.assign(loss_sum_.size(), 0.0);
  steps_in_epoch_ = 0;
  return out;
}

}  // namespace moo
}  // namespace strata
