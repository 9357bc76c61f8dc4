// The two scalable-bit-width baselines of seed 001 Table 5 (Wu et al., TPAMI 2023, Sec. 6.2;
// ALGORITHMS.md §2 "Baselines") and the weight storage each scheme needs.
//
// QAT + fine-tune (QatFinetuneRecipe, two stages; slot k = width b0 + k, BN variant k):
//   stage 0  LSQ QAT at the source width N from the FP model (w, s_N, N's activation steps,
//            BN variant N − b0, the FP first/last layers):
//              q_N = clip(round(w / s_N), −2^(N−1), 2^(N−1) − 1),  ŵ_N = s_N q_N        (Eq. 1)
//   stage 1  the lower widths by plain downsampling of the trained N-bit codes (no
//            compensation: Fig. 5(b)), weights frozen, so the codes stay nested:
//              q_b = floor(q_N / 2^(N−b)),  ŵ_b = 2^(N−b) s_N q_b                    (Eqs. 3, 5)
//            only width b's BN variant (started from N's) and activation steps (LSQ init
//            from the stage's first batch) learn, from the loss Σ_{b<N} CE_b. Everything
//            else is restored after every optimizer step.
//   Decision: stage 0 runs inside this recipe rather than reading an LSQ run, because a run
//   starts from another run's network tensors only (moo/train/trainer.h), not its step sizes;
//   its hyper-parameters are the LSQ runs' (reports' run catalogue). Tensor names: "<layer>.w_step"
//   (s_N, as LSQ's), "<layer>.a_step.w<b>a<b>".
//
// AdaBits-style (AdabitsRecipe, Jin et al. CVPR 2020 as seed 001 Table 5 uses it; one stage):
//   shared FP weights w; per width b its own LSQ weight step s_w(b) and activation steps
//   ("<layer>.w_step.w<b>a<b>", "<layer>.a_step.w<b>a<b>") and its own BN variant; codes
//   q_b = clip(round(w / s_w(b))) are independent per width (not nested); loss Σ_b CE_b.
//   The model to store is w in floating point.
//
//   moo::QatFinetuneOptions o;                       // b0 = 2, N = 4
//   STRATA_ASSIGN_OR_RETURN(auto r, moo::QatFinetuneRecipe::Create(o, *net));
//   // net built with bn_variants = o.slots(); evals "w2a2" .. "w4a4" (stage 0: "w4a4" only)
#ifndef STRATA_MOO_QAT_BASELINES_H_
#define STRATA_MOO_QAT_BASELINES_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/lsq.h"
#include "moo/qat_baselines.pb.h"
#include "moo/quant_state.h"
#include "moo/recipe.h"

namespace strata {
namespace moo {

struct QatFinetuneOptions {
  int basic_bits = quant::kPaperBasicBits;    // b0
  int source_bits = quant::kPaperSourceBits;  // N
  int slots() const { return source_bits - basic_bits + 1; }
};
// The options of a config message (qat_baselines.proto): widths left 0 are the paper's,
// then Create's checks (1 <= b0 < N <= 16), errors naming "qat_finetune.<field>".
StatusOr<QatFinetuneOptions> QatFinetuneOptionsFrom(const QatFinetuneRecipeConfig& config);

class QatFinetuneRecipe : public Recipe {
 public:
  // InvalidArgument naming "qat_finetune.<field>" and the value unless 1 <= b0 < N <= 16.
  static StatusOr<std::unique_ptr<QatFinetuneRecipe>> Create(const QatFinetuneOptions& o,
                                                             const models::Network& net);
  ~QatFinetuneRecipe() override;
  int Stages() const override { return 2; }
  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  StepMetrics Step(const StepInput& in) override;
  void AfterStep(const models::Network& net) override;
  std::vector<EvalPoint> Evals() const override;
  ParameterSet Parameters() const override;
  ParameterSet State() const override;

  // Inference context of width `bits` (b0..N): its hooks and BN variant.
  models::ForwardContext WidthContext(int bits) const;
  // s_N of a quantized layer (index into net.layers()); CHECKs the layer is quantized.
  float source_step(int layer_index) const;

 private:
  class Hooks;
  QatFinetuneRecipe(const QatFinetuneOptions& o, const models::Network& net);
  QatFinetuneOptions o_;
  std::unique_ptr<Hooks> hooks_;
  int stage_ = 0;
  std::vector<std::pair<Tensor, Tensor>> frozen_;  // (tensor, value to restore)
};

struct AdabitsOptions {
  int basic_bits = quant::kPaperBasicBits;
  int max_bits = quant::kPaperSourceBits;
  int slots() const { return max_bits - basic_bits + 1; }
};
// As QatFinetuneOptionsFrom, for "adabits.<field>".
StatusOr<AdabitsOptions> AdabitsOptionsFrom(const AdabitsRecipeConfig& config);

class AdabitsRecipe : public Recipe {
 public:
  // InvalidArgument naming "adabits.<field>" and the value unless 1 <= b0 < max <= 16.
  static StatusOr<std::unique_ptr<AdabitsRecipe>> Create(const AdabitsOptions& o,
                                                         const models::Network& net);
  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  // loss = Σ_b CE_b (NaN when any is; then no backward); correct/count of the top width.
  StepMetrics Step(const StepInput& in) override;
  std::vector<EvalPoint> Evals() const override;  // "w<b>a<b>", lowest first
  ParameterSet Parameters() const override { return hooks_->Parameters(); }
  ParameterSet State() const override { return hooks_->State(); }
  const LsqHooks& hooks() const { return *hooks_; }
  models::ForwardContext WidthContext(int bits) const;

 private:
  AdabitsRecipe(const AdabitsOptions& o, std::unique_ptr<LsqHooks> hooks)
      : o_(o), hooks_(std::move(hooks)) {}
  AdabitsOptions o_;
  std::unique_ptr<LsqHooks> hooks_;
};

// Weight storage in bits of a model serving `widths` (seed 001 Table 5, "Weight size"):
// conv/linear weights only; the first conv and last linear stay FP (32 bits) in every scheme.
//   kVertical   one set of N-bit codes serves every width (once-QAT, ascending, QAT + FT):
//               N · Nq + 32 · Nfp
//   kPerBit     one model per width (per-bit LSQ): Σ_b (b · Nq + 32 · Nfp)
//   kFpWeights  the FP weights (AdaBits-style): 32 · (Nq + Nfp)
// Nq / Nfp: weights of the quantized / first-and-last layers. ResNet-50 (ImageNet, 1000
// classes): 159.6M (kVertical, N = 4) and 816.1M (kFpWeights), the paper's numbers.
enum class WeightStorage { kVertical, kPerBit, kFpWeights };
int64_t WeightStorageBits(const models::Network& net, WeightStorage scheme,
                          const std::vector<int>& widths);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_QAT_BASELINES_H_
