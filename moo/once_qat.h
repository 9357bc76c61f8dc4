// once-QAT (Wu et al., "Vertical Layering of Quantized Neural Networks for Heterogeneous
// Inference", TPAMI 2023, Sec. 4; ALGORITHMS.md §2): one set of FP source weights w and one
// learnable source step s_w per quantized layer serve every bit-width b in b0..N through
// quant::VerticalQuantize (source quantization Eq. 1, downsampling Eq. 5, step s_b = 2^(N-b)
// s_w Eq. 3, positive compensation Eq. 6). Each width has its own activation LSQ steps and
// (by default) its own BN (models' BN variant b - b0). The first conv and the last linear
// stay FP and are shared by every width (by default).
//
// One step (Sec. 4.2.1-4.2.3): forward at every width -> logits z_b; loss
//   L_b = CE(z_b) (+ L_KD(p_{b+1}, p_b) for b < N with self-KD, Eq. 11; teacher detached)
// then the shared parameters (w, s_w, FP first/last layers) get sum_b alpha_b dL_b (Eq. 9)
// with alpha = 1/T (US) or MGD's min-norm point (Eq. 10; logged per step, averaged per epoch
// in TakeEpochMetrics as "alpha_w<b>a<b>"), while the width-specific parameters (BN of
// variant b, activation steps of width b) get dL_b only — by construction: only width b's
// forward reaches them.
//
//   OnceQatOptions o;                         // b0 = 2, N = 4, compensation, US, no KD
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<OnceQatRecipe> r, OnceQatRecipe::Create(o, *net));
//   // net built with spec.bn_variants = o.bn_variants(); started from an FP model
//   r->BeginStage(0, /*resumed=*/false, *net);   // s_w = 2 mean|w| / sqrt(2^N - 1)
//   ... per batch: zero grads; r->Step(in); sgd.Step(lr) (net params + r->Parameters()) ...
//   Tensor logits2 = net->Forward(x, r->WidthContext(2));   // the 2-bit network
//
// Activation steps (quant_state.h's ActivationSteps, one slot per width): initialised on
// the first training step, layer by layer as the forward at width b reaches them: s_a =
// max|x| / (2^b - 1) (Sec. 6.1, ALGORITHMS.md §2), for unsigned and signed inputs alike; the
// quantizer's range is unsigned [0, 2^b - 1] when the first batch's input to the layer is
// >= 0 (after ReLU), else signed [-2^(b-1), 2^(b-1) - 1] (MobileNetV2's linear bottlenecks).
// Dividing a signed input's max by the signed Qp = 2^(b-1) - 1 instead (s_a = max|x| at 2
// bits) rounds nearly every activation to 0 and made once-QAT MobileNetV2 collapse to chance
// at every width. A dead input gives 1/(2^b - 1), a NaN input a NaN step (ActInit). The
// ranges ("a_step.flags": initialised, signed) are in Parameters() (no gradient, so SGD
// leaves them alone; weights.ckpt carries them for export), so a resumed run is exact and a
// loaded model is ready to evaluate. Ablation (act_init = kLsq): s_a = 2 mean|x| / sqrt(Qp),
// the per-bit LSQ baselines' start, which is far finer at 2 bits on heavy-tailed
// activations (max|x| / 3 leaves most post-ReLU values in the zero bin).
//
// BN (Sec. 6.3.1, Table 4; BnMode of quant_state.h): kIndividual (default) gives width b BN
// variant b - b0, trained by dL_b only. kShared: one BN for every width — a shared parameter
// like w (sum_b alpha_b dL_b, part of MGD's gradients). kSharedAffine: statistics per width,
// one γ/β: variant b's γ/β gradient dL_b is weighted by alpha_b and summed into variant 0's
// (BnSlots::TieGrads; not part of MGD's Gram matrix), and every variant is reset to variant
// 0's γ/β after each optimizer step (AfterStep).
//
// Per-bit first/last layers (Sec. 6.3.5, Table 8; per_bit_ends): width b0 keeps the network's
// own first conv and last linear weights, every other width b its own FP copy
// "onceqat.w<b>a<b>.<layer>.weight" (initialised from the network's at BeginStage), each
// trained by dL_b alone; the last linear's bias stays shared (Decision: the model's hooks
// reach weights only; num_classes values). The loop's SGD does not decay recipe parameters,
// so the recipe adds ends_weight_decay * w to the copies' gradients (the SGD's coupled decay,
// bit for bit) to treat every width's copy like width b0's.
//
// Metrics per epoch (TakeEpochMetrics): "train_loss_w<b>a<b>"; with MGD also "alpha_w<b>a<b>"
// (mean over the epoch's steps), "alpha_std_w<b>a<b>" (their population standard deviation:
// how much alpha moves within an epoch, Fig. 7(a)) and "grad_norm_w<b>a<b>" = mean over
// steps of ||g_b|| = sqrt(M_bb), the norm of width b's gradient w.r.t. the shared parameters
// (Fig. 7(b); free: MGD computes the Gram matrix M).
//
// Tensor names (checkpoints, the model-file export): "onceqat.s_w.<layer>" (1),
// "<layer>.a_step.w<b>a<b>" (1), "a_step.flags" (quantized layers x widths: 0 = not yet
// initialised, 1 = unsigned, 2 = signed).
//
// Determinism: every op is thread-count independent (quant/, moo/combine.h).
// Thread safety: one caller at a time; Evals()' contexts point into the recipe.
#ifndef STRATA_MOO_ONCE_QAT_H_
#define STRATA_MOO_ONCE_QAT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/combine.h"
#include "moo/kd.h"
#include "moo/once_qat.pb.h"
#include "moo/quant_state.h"
#include "moo/recipe.h"

namespace strata {
namespace moo {

struct OnceQatOptions {
  int basic_bits = quant::kPaperBasicBits;    // b0
  int source_bits = quant::kPaperSourceBits;  // N
  bool compensation = true;   // z_b of Eq. 6; false: the Table 7 ablation
  MooMethod moo = MooMethod::kUnitaryScalarization;
  MgdOptions mgd;             // MGD with more than two widths
  KdKind kd = KdKind::kNone;  // self-KD of Eq. 11
  BnMode bn = BnMode::kIndividual;  // Table 4
  bool per_bit_ends = false;        // Table 8: an FP first conv / last linear weight per width
  float ends_weight_decay = 0.f;    // coupled L2 on the per-bit copies (see above)
  ActInit act_init = ActInit::kMax;  // the paper's; kLsq: LSQ's init (see above)
  int num_widths() const { return source_bits - basic_bits + 1; }
  // ModelSpec::bn_variants the network needs: 1 for kShared, else num_widths().
  int bn_variants() const { return BnSlots(bn, num_widths()).variants(); }
};

// The options of a config message (once_qat.proto): widths left 0 are the paper's, then
// ValidateOnceQat; errors name "once_qat.<field>" and the value. ends_weight_decay stays 0
// (the trainer sets it from the optimizer).
StatusOr<OnceQatOptions> OnceQatOptionsFrom(const OnceQatRecipeConfig& config);
// What Create checks of the options alone: 1 <= basic_bits <= source_bits <= 8.
Status ValidateOnceQat(const OnceQatOptions& o);

// γ, β, running mean and variance values of every BN site (C channels) that the widths use
// together: 4C (kShared), 2C + 2C T (kSharedAffine), 4C T (kIndividual) — the paper's Table 4
// counts the statistics as parameters.
int64_t BnParameterCount(const models::Network& net, BnMode mode, int widths);

// "w2a2" for 2 bits.
std::string WidthName(int bits);

class OnceQatRecipe : public Recipe {
 public:
  // InvalidArgument (naming the option and value) unless 1 <= b0 <= N <= 8 and the network
  // has options.bn_variants() BN variants and at least one quantizable layer that is
  // neither first nor last.
  static StatusOr<std::unique_ptr<OnceQatRecipe>> Create(const OnceQatOptions& options,
                                                        const models::Network& net);
  ~OnceQatRecipe() override;

  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  StepMetrics Step(const StepInput& in) override;
  void AfterStep(const models::Network& net) override;  // kSharedAffine: tie γ/β
  std::vector<EvalPoint> Evals() const override;  // "w<b>a<b>" for b = b0 .. N
  ParameterSet Parameters() const override { return params_; }
  std::vector<std::pair<std::string, double>> TakeEpochMetrics() override;

  const OnceQatOptions& options() const { return options_; }
  // Evaluation context of width `bits` (training = false, its BN variant, its hooks).
  models::ForwardContext WidthContext(int bits) const;
  // Indices (into net.layers()) of the vertically quantized layers, in forward order.
  const std::vector<int>& quantized_layers() const { return quantized_; }
  // The shared parameters of the joint step: every network parameter outside the BNs
  // and every s_w (the order MGD's gradients use).
  const std::vector<Tensor>& shared() const { return shared_; }
  // Per quantized layer q (position in quantized_layers()).
  const Tensor& source_step(int q) const { return s_w_[q]; }
  const Tensor& act_step(int bits, int q) const;
  bool act_signed(int bits, int q) const;
  // Every width's input quantizers (slot = bits - b0).
  const ActivationSteps& activation_steps() const { return act_; }
  // The per-width weights of the last Step (alpha_b, lowest width first).
  const std::vector<double>& last_alpha() const { return last_alpha_; }
  // Values in the per-bit first/last copies (0 without per_bit_ends): Table 8's extra
  // parameters.
  int64_t ExtraEndParameters() const;
  // The weight width `bits` uses for first/last layer `layer_index`: the per-bit copy, or
  // null (the network's own).
  const Tensor* EndWeight(int layer_index, int bits) const;

 private:
  class WidthHooks;
  OnceQatRecipe(const OnceQatOptions& options, const models::Network& net);
  int Index(int bits) const { return bits - options_.basic_bits; }
  // The joint backward of Eqs. 9-10 from the per-width losses.
  void JointBackward(const std::vector<Tensor>& losses, const models::Network& net);
  // kSharedAffine: variant b's γ/β gradient times alpha_b, summed into variant 0's.
  void TieAffineGrads(const models::Network& net) const;
  // per_bit_ends: ends_weight_decay * w into each copy's gradient.
  void DecayEndCopies() const;

  OnceQatOptions options_;
  std::vector<int> quantized_;  // layer index per quantized position
  std::vector<int> position_;   // layer index -> quantized position or -1
  std::vector<float> grad_scale_;
  std::vector<Tensor> s_w_;
  ActivationSteps act_;  // slot = width index
  std::vector<std::unique_ptr<WidthHooks>> hooks_;
  std::vector<Tensor> shared_;
  BnSlots bn_;
  std::vector<int> ends_;                       // first/last layer indices (per_bit_ends)
  std::vector<std::vector<Tensor>> end_copy_;   // [width index - 1][k]: ends_[k]'s copy
  ParameterSet params_;
  std::vector<double> last_alpha_;
  std::vector<double> alpha_sum_, alpha_sq_sum_, loss_sum_, grad_norm_sum_;
  int64_t steps_in_epoch_ = 0;
};

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_ONCE_QAT_H_
