#include "moo/kd.h"

namespace strata {
namespace moo {
namespace {

void CheckLogits(const Tensor& teacher, const Tensor& student, const char* what) {
  CHECK(teacher.defined() && student.defined()) << what << ": undefined logits";
  CHECK_EQ(student.rank(), 2) << what << ": student logits " << ShapeStr(student.shape())
                              << " ---> HINT: logits are (N, K)";
  CHECK(teacher.shape() == student.shape()) << what << ": teacher " << ShapeStr(teacher.shape())
                                            << " vs student " << ShapeStr(student.shape());
}

}  // namespace

const char* KdKindName(KdKind kind) {
  switch (kind) {
    case KdKind::kNone:
      return "none";
    case KdKind::kCosine:
      return "cosine";
    case KdKind::kKl:
      return "kl";
  }
  return "?";
}

Tensor CosineKdLoss(const Tensor& teacher_logits, const Tensor& student_logits) {
  CheckLogits(teacher_logits, student_logits, "CosineKdLoss");
  // Eq. 11 with L_KD = 1 - cos(z_{i+1}, z_i) (SPEQ's cosine distillation); teacher detached.
  const Tensor pt = Softmax(teacher_logits.Detach());
  const Tensor ps = Softmax(student_logits);
  const Tensor dot = Sum(Mul(pt, ps), {1});             // (N)
  const Tensor norm_t = Sqrt(Sum(Square(pt), {1}));     // (N), a constant
  const Tensor norm_s = Sqrt(Sum(Square(ps), {1}));     // (N)
  const Tensor cosine = Div(dot, Mul(norm_t, norm_s));  // (N)
  return Mean(AddScalar(Neg(cosine), 1.f));
}

Tensor KlKdLoss(const Tensor& teacher_logits, const Tensor& student_logits) {
  CheckLogits(teacher_logits, student_logits, "KlKdLoss");
  // Eq. 11 with L_KD = KL(z_{i+1} || z_i) = sum_k p_T (log p_T - log p_S); teacher detached.
  const Tensor log_pt = LogSoftmax(teacher_logits.Detach());
  const Tensor log_ps = LogSoftmax(student_logits);
  const Tensor pt = Exp(log_pt);
  return Mean(Sum(Mul(pt, Sub(log_pt, log_ps)), {1}));
}

Tensor KdLoss(KdKind kind, const Tensor& teacher_logits, const Tensor& student_logits) {
  switch (kind) {
    case KdKind::kCosine:
      return CosineKdLoss(teacher_logits, student_logits);
    case KdKind::kKl:
      return KlKdLoss(teacher_logits, student_logits);
    case KdKind::kNone:
      break;
  }
  CHECK(false) << "KdLoss: kind " << KdKindName(kind) << " has no loss";
  return Tensor();
}

std::vector<Tensor> SelfKdLosses(const std::vector<Tensor>& logits,
                                 const std::vector<int32_t>& labels, KdKind kind) {
  CHECK(!logits.empty()) << "SelfKdLosses: no bit-widths";
  std::vector<Tensor> losses;
  losses.reserve(logits.size());
  for (size_t b = 0; b < logits.size(); ++b) {
    Tensor loss = CrossEntropy(logits[b], labels);
    // Eq. 11: L_b = L_CE^b + L_KD(z_{b+1}, z_b) for b < n; the highest width has only CE.
    if (kind != KdKind::kNone && b + 1 < logits.size())
      loss = Add(loss, KdLoss(kind, logits[b + 1], logits[b]));
    losses.push_back(loss);
  }
  return losses;
}

}  // namespace moo
}  // namespace strata
