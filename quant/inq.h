// Incremental network quantization (INQ; Zhou et al., "Incremental Network Quantization:
// Towards Lossless CNNs with Low-Precision Weights", ICLR 2017; "INQ" below), as seed 004
// uses it at 2-9 bits: tensor-level pieces that a training recipe (moo/) drives.
//
// Usage, one InqLayer per quantized weight (conv and linear, first and last too):
//
//   STRATA_RETURN_IF_ERROR(ValidateInqBits(bits));
//   STRATA_RETURN_IF_ERROR(ValidateInqSchedule(schedule));  // default {.5, .75, .875, 1}
//   InqLayer layer("conv1.weight", w.shape());   // recipe constructor
//   layer.Register(&state);                     // Recipe::State(): mask, values, codebook
//   // BeginStage(k), k = 0 .. schedule.size() - 1 (the LR schedule restarts each stage):
//   if (k == 0) {
//     STRATA_ASSIGN_OR_RETURN(InqCodebook cb, InqCodebookForWeights(w, bits));
//     layer.SetCodebook(cb);                    // from the pretrained weights, INQ Eq. (2)
//   }
//   STRATA_RETURN_IF_ERROR(layer.Freeze(w, schedule[k]));  // quantize largest σ_k, freeze
//   // Step(): after Backward({loss}), before the optimizer
//   layer.MaskGradient(w.grad());
//   // AfterStep(): after every optimizer step
//   layer.ApplyFrozen(w);
//
// Codebook (INQ Sec. 2.1). A b-bit layer l has the levels P_l = {0, ±2^n2, ..., ±2^n1}
// (INQ Eq. (1)) with n1 = floor(log2(4 s / 3)), s = max |W_l| of the pretrained weights
// (Eq. (2), (3)), and n2 = n1 + 1 - 2^(b-1)/2: one bit says "zero", the other b - 1 bits
// code 2^(b-1) signed powers of two, i.e. 2^(b-2) magnitudes n2..n1, so 2^(b-1) + 1 levels:
//
//   b       2    3    4    5     6     7     8      9
//   n2     n1  n1-1 n1-3 n1-7 n1-15 n1-31 n1-63 n1-127
//   levels  3    5    9   17    33    65   129    257     (a fixed-length code needs b bits)
//
// The codebook is fixed at stage 0 (ALGORITHMS.md §4). INQ's Caffe code recomputes n1 from
// the current weights at every stage, which only differs once a free weight has grown past
// 3·2^n1/2 (then its codebook shifts up by a factor of two).
//
// b = 5 gives INQ's example n1 - n2 = 7 (its reference code's M-7..M). Seed 004's
// classification runs instead fix "the max value of the quantized weights" to 4.0 for
// every layer: InqCodebookFromN1(2, b).
//
// Quantizer (INQ Eq. (4); seed 004 Eq. (2)): Q(w) = β sgn(w) for adjacent levels α < β
// with (α + β)/2 <= |w| < 3β/2, i.e. the nearest level with exact ties to the larger
// magnitude; |w| < 2^n2 / 2 gives 0 (always +0). Eq. (4) read literally sends
// |w| >= 3·2^n1/2 to 0; pretrained weights never get there (s < 3·2^n1/2 by Eq. (2)), but
// weights retrained in later stages can, and INQ's reference code (nearest level) clamps
// them to ±2^n1, as here. That code breaks exact ties towards the smaller level; Eq. (4)
// (and this file) towards the larger one.
//
// Partition (INQ Sec. 2.2, Eq. (5)-(8); seed 004 Eq. (1)): at stage k, the
// round(σ_k·n) largest-magnitude weights of each layer are frozen (quantized, never updated
// again); weights frozen earlier stay frozen, the rest of the count comes from the largest
// |w| among the free ones, ties in |w| to the lower flat index. round() is half away from
// zero: with the default schedule a layer of n = 1 freezes 1,1,1,1 weights, n = 3 2,2,3,3,
// n = 7 4,5,6,7.
//
// The mask is INQ's 1 - T_l (1 = frozen). INQ Eq. (7) updates W <- W - γ ∂E/∂W · T_l, and
// its Caffe code multiplies the final update (after weight decay and momentum) by T_l.
// ApplyFrozen after the optimizer step is the same thing: Sgd is elementwise, so the free
// weights' updates do not depend on the frozen entries, and writing the frozen values back
// undoes exactly the masked part of the update (a frozen weight already held its value
// before the step). MaskGradient zeroes the gradient at frozen entries before the step;
// it never changes a weight (ApplyFrozen does the masking), but it keeps the momentum
// buffers there from integrating data gradients and hands anything that reads the whole
// gradient (norms, clipping, logging) the gradient INQ Eq. (7) uses. With coupled weight
// decay the buffer at a frozen entry still integrates wd·w; harmless, it is never applied.
//
// The frozen values are kept in their own tensor rather than re-quantized from w after a
// step: momentum keeps moving a frozen weight, and a frozen 0 can drift by more than
// 2^n2/2 in one step, so re-quantizing would not restore it.
//
// Storage (seed 004's "3.5x-6.4x memory reduction"): every reduction the paper quotes is
// 32/b for its chosen bit-width (5 bits 6.4x, 7 bits 4.6x, 8 bits 4x, 9 bits 3.6x, written
// 3.5x in the abstract): each weight stored as a b-bit code against a float32, activations
// (float in seed 004), biases and the per-layer n1 not counted. InqStorage reproduces that
// and can also count parameters kept in float.
//
// Floats: levels are exact powers of two from 2^-149 (the smallest subnormal) to 2^127;
// codebooks outside that range are refused. Thresholds are compared in double (exact).
// Elementwise work runs in ParallelFor: bit-identical for any thread count.
#ifndef STRATA_QUANT_INQ_H_
#define STRATA_QUANT_INQ_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace quant {

// b in [2, 9] (seed 004's range; b = 1 would give a non-integer n2).
Status ValidateInqBits(int bits);
// Levels of a b-bit codebook: 2^(b-1) + 1.
int InqNumLevels(int bits);
// Bits of a fixed-length code for InqNumLevels(bits) levels: ceil(log2(levels)) (= b).
int InqCodeBits(int bits);

// Accumulated frozen portions: non-empty, each in (0, 1], strictly increasing, the last
// exactly 1.0. The Status names the position and the value.
Status ValidateInqSchedule(const std::vector<double>& portions);
// {0.5, 0.75, 0.875, 1.0} (seed 004, INQ's ImageNet runs).
std::vector<double> DefaultInqSchedule();
// Weights frozen at portion sigma in [0, 1] of a layer of n: round(sigma·n), half away
// from zero, computed in double.
int64_t InqFrozenCount(int64_t n, double sigma);

// Levels {0, ±2^n2, ..., ±2^n1} of one layer.
struct InqCodebook {
  int bits = 0;
  int n1 = 0;  // largest exponent
  int n2 = 0;  // smallest exponent: n1 + 1 - 2^(b-1)/2
};

// The codebook with top exponent n1 (seed 004: max level 4.0 -> n1 = 2). Errors name bits,
// n1 and n2 when the levels leave [2^-149, 2^127].
StatusOr<InqCodebook> InqCodebookFromN1(int n1, int bits);
// INQ Eq. (2), (3): n1 = floor(log2(4 max|w| / 3)) from the (pretrained) weights. Errors:
// bad bits, a non-finite weight (named by index), an all-zero tensor, levels out of range.
StatusOr<InqCodebook> InqCodebookForWeights(const Tensor& w, int bits);
// All levels, ascending: -2^n1, ..., -2^n2, 0, 2^n2, ..., 2^n1.
std::vector<float> InqLevels(const InqCodebook& cb);

// INQ Eq. (4), clamped at ±2^n1 (see above); NaN stays NaN.
float InqQuantizeValue(float w, const InqCodebook& cb);
// Test oracle: the nearest level by brute force over InqLevels, ties to the larger
// magnitude (+0 for 0).
float InqNearestLevelReference(float w, const InqCodebook& cb);
// Elementwise InqQuantizeValue into a new tensor (no autograd).
Tensor InqQuantize(const Tensor& w, const InqCodebook& cb);

// One layer's INQ state, all in tensors so that Register() hands it to a checkpoint:
//   <name>.inq_mask      w's shape, 1 = frozen, 0 = free
//   <name>.inq_value     w's shape, the quantized value of each frozen weight, 0 if free
//   <name>.inq_codebook  (2): bits, n1 (bits 0 = no codebook yet)
// Not thread-safe (one recipe drives it); its loops run in ParallelFor.
class InqLayer {
 public:
  // A free layer for a weight of `shape`, named like the weight ("conv1.weight").
  InqLayer(std::string name, const Shape& shape);

  // Stage 0, before the first Freeze (CHECKs that nothing is frozen yet).
  void SetCodebook(const InqCodebook& cb);
  bool has_codebook() const;
  InqCodebook codebook() const;  // CHECKs has_codebook()

  // Freezes the free weights with the largest |w| until InqFrozenCount(n, sigma) are frozen
  // (ties to the lower index), stores their quantized values, and writes every frozen
  // value into w. Errors: a non-finite free weight; more weights already frozen than the
  // count (a mask from another schedule). CHECKs: codebook set, w's shape, sigma in (0, 1].
  Status Freeze(const Tensor& w, double sigma);
  // grad = 0 at frozen entries (no-op on an undefined grad).
  void MaskGradient(const Tensor& grad) const;
  // w = stored value at frozen entries; call after every optimizer step.
  void ApplyFrozen(const Tensor& w) const;

  int64_t frozen_count() const;
  const std::string& name() const { return name_; }
  const Tensor& mask() const { return mask_; }
  const Tensor& values() const { return values_; }

  // Adds the three state tensors (live: loading a checkpoint into them restores the layer).
  void Register(ParameterSet* state) const;
  // After loading: the codebook is valid (or unset with nothing frozen), the mask is 0/1,
  // every frozen value is a level and every free value 0. Errors name the tensor and index.
  Status CheckState() const;

 private:
  std::string name_;
  Tensor mask_, values_, codebook_;
};

// Parameter memory in bits: quantized weights at InqCodeBits(b) bits each, other parameters
// at 32, against everything in float32. Seed 004's figures count quantized weights only.
//
//   InqStorage s;
//   s.AddQuantized(conv_weights, 5);
//   s.Reduction();  // 6.4
struct InqStorage {
  int64_t bits = 0;          // as stored
  int64_t float32_bits = 0;  // all in float32
  void AddQuantized(int64_t weights, int bits);
  void AddFloat(int64_t params);
  double Reduction() const;  // float32_bits / bits (CHECKs bits > 0)
};

}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_INQ_H_
