// Self-knowledge distillation losses for the joint training of several bit-widths
// (vertical-layering paper, Sec. 4.2.3, Eq. 11): the (b+1)-bit network's softmax output
// supervises the b-bit network's. Built from engine ops, so they are differentiable through
// the tape; the teacher's logits are detached (no gradient ever reaches the teacher).
//
//   // logits[i]: (N, K) logits of the i-th bit-width, lowest first (e.g. 2, 3, 4 bits).
//   std::vector<Tensor> losses = SelfKdLosses(logits, labels, KdKind::kCosine);
//   // losses[i] = CE(logits[i]) + (1 - cos(p_{i+1}, p_i)) for i < n; losses[n] = CE(logits[n])
//   Backward(losses);   // or moo::TaskGradients(losses, shared) for MGD (combine.h)
//
// Notation: z_S, z_T student and teacher logits (N, K); p = softmax(z) per row.
#ifndef STRATA_MOO_KD_H_
#define STRATA_MOO_KD_H_

#include <cstdint>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace moo {

enum class KdKind {
  kNone,    // L_b = CE_b ("w/o self-KD")
  kCosine,  // the paper's choice ("CS", after SPEQ, Boo et al. AAAI 2021)
  kKl,      // "KL" in Table 9
};
const char* KdKindName(KdKind kind);  // "none", "cosine", "kl"

// Mean over the batch of 1 - cos(p_T, p_S) = 1 - <p_T, p_S> / (|p_T| |p_S|). Scalar.
// Probability vectors have |p| >= 1/sqrt(K), so no epsilon is needed.
Tensor CosineKdLoss(const Tensor& teacher_logits, const Tensor& student_logits);
// Mean over the batch of KL(p_T || p_S) = sum_k p_T (log p_T - log p_S), with log p from
// LogSoftmax (finite even where p underflows to 0, so 0 * log 0 terms are 0). Scalar.
Tensor KlKdLoss(const Tensor& teacher_logits, const Tensor& student_logits);
// The loss of `kind` (kNone: CHECK-fails; there is no loss to build).
Tensor KdLoss(KdKind kind, const Tensor& teacher_logits, const Tensor& student_logits);

// The per-bit-width losses of Eq. 11 from the logits of each bit-width, lowest first (all
// (N, K) of the same shape): L_b = CE(logits[b], labels) + L_KD(p_{b+1}, p_b) for b < n,
// L_n = CE(logits[n], labels); kNone gives the plain CE_b. Each L_b is a scalar tensor.
std::vector<Tensor> SelfKdLosses(const std::vector<Tensor>& logits,
                                 const std::vector<int32_t>& labels, KdKind kind);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_KD_H_
