// once-QAT (Wu et al., "Vertical Layering of Quantized Neural Networks for Heterogeneous
// Inference", TPAMI 2023, Sec. 4; ALGORITHMS.md §2): one set of FP source weights w and one
// learnable source step s_w per quantized layer serve every bit-width b in b0..N through
// quant::VerticalQuantize (source quantization Eq. 1, downsampling Eq. 5, step s_b = 2^(N-b)
// s_w Eq. 3, positive compensation Eq. 6). Each width has its own activation LSQ steps and
// its own BN (models' BN variant b - b0). The first conv and the last linear stay FP and
// are shared by every width.
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
//   // net built with spec.bn_variants = o.num_widths(); started from an FP model
//   r->BeginStage(0, /*resumed=*/false, *net);   // s_w = 2 mean|w| / sqrt(2^N - 1)
//   ... per batch: zero grads; r->Step(in); sgd.Step(lr) (net params + r->Parameters()) ...
//   Tensor logits2 = net->Forward(x, r->WidthContext(2));   // the 2-bit network
//
// Activation steps: initialised on the first training step, layer by layer as the forward
// at width b reaches them: s_a = max|x| / Qp (unsigned Qp = 2^b - 1 when the first batch's
// input to the layer is >= 0, e.g. after ReLU; signed Qp = 2^(b-1) - 1 otherwise, e.g.
// MobileNetV2's linear bottlenecks). Decision (ALGORITHMS.md §2): a zero max|x| (a dead
// input) gives s_a = 1/Qp instead of 0. The "initialised" flag is in State() and the
// signedness in Parameters() (no gradient, so SGD leaves it alone; weights.ckpt carries it
// for export), so a resumed run is exact.
//
// Tensor names (checkpoints, the model-file export): "onceqat.s_w.<layer>" (1),
// "onceqat.w<b>a<b>.s_a.<layer>" (1), "onceqat.w<b>a<b>.act_signed" (quantized layers, 0/1).
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
#include "moo/recipe.h"

namespace strata {
namespace moo {

struct OnceQatOptions {
  int basic_bits = 2;         // b0 (paper: 2)
  int source_bits = 4;        // N (paper: 4)
  bool compensation = true;   // z_b of Eq. 6; false: the Table 7 ablation
  MooMethod moo = MooMethod::kUnitaryScalarization;
  MgdOptions mgd;             // MGD with more than two widths
  KdKind kd = KdKind::kNone;  // self-KD of Eq. 11
  int num_widths() const { return source_bits - basic_bits + 1; }
};

// "w2a2" for 2 bits.
std::string WidthName(int bits);

class OnceQatRecipe : public Recipe {
 public:
  // InvalidArgument (naming the option and value) unless 1 <= b0 <= N <= 8 and the network
  // has bn_variants == num_widths BN variants and at least one quantizable layer that is
  // neither first nor last.
  static StatusOr<std::unique_ptr<OnceQatRecipe>> Create(const OnceQatOptions& options,
                                                        const models::Network& net);
  ~OnceQatRecipe() override;

  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  StepMetrics Step(const StepInput& in) override;
  std::vector<EvalPoint> Evals() const override;  // "w<b>a<b>" for b = b0 .. N
  ParameterSet Parameters() const override { return params_; }
  ParameterSet State() const override { return state_; }
  std::vector<std::pair<std::string, double>> TakeEpochMetrics() override;

  const OnceQatOptions& options() const { return options_; }
  // Evaluation context of width `bits` (training = false, variant = bits - b0, its hooks).
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
  // The per-width weights of the last Step (alpha_b, lowest width first).
  const std::vector<double>& last_alpha() const { return last_alpha_; }

 private:
  class WidthHooks;
  OnceQatRecipe(const OnceQatOptions& options, const models::Network& net);
  int Index(int bits) const { return bits - options_.basic_bits; }
  // The joint backward of Eqs. 9-10 from the per-width losses.
  void JointBackward(const std::vector<Tensor>& losses);

  OnceQatOptions options_;
  std::vector<int> quantized_;  // layer index per quantized position
  std::vector<int> position_;   // layer index -> quantized position or -1
  std::vector<float> grad_scale_;
  std::vector<Tensor> s_w_;
  std::vector<std::vector<Tensor>> s_a_;  // [width][q]
  std::vector<Tensor> signed_;            // [width]: (Q) 0/1
  Tensor act_ready_;                      // (1): 1 once the activation steps are set
  std::vector<std::unique_ptr<WidthHooks>> hooks_;
  std::vector<Tensor> shared_;
  ParameterSet params_, state_;
  std::vector<double> last_alpha_;
  std::vector<double> alpha_sum_, loss_sum_;
  int64_t steps_in_epoch_ = 0;
};

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_ONCE_QAT_H_
