// Ensembles (seed 004 Sec. 3, Tables 2, 6, 9): M independently trained members, the
// prediction is the mean of their softmax outputs; top-1 of that mean.
//
//   Ensemble e(num_examples, num_classes);
//   e.Add(member1_probs);  // (N, K) row-major softmax of member 1 over the test set
//   e.Add(member2_probs);
//   double top1 = e.Top1Percent(labels);  // of the mean of the members added so far
//
// Members are summed in double in the order added (the same order ⇒ the same bits);
// argmax ties go to the lower class index (as moo::LabelRank).
#ifndef STRATA_MOO_ENSEMBLE_H_
#define STRATA_MOO_ENSEMBLE_H_

#include <cstdint>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace moo {

class Ensemble {
 public:
  Ensemble(int64_t n, int k);
  // probs: n * k softmax outputs (CHECKs the size).
  void Add(const std::vector<float>& probs);
  int members() const { return members_; }
  // Mean probability of example i, class j, over the members added.
  double Mean(int64_t i, int j) const;
  // Percent of examples whose mean's argmax is the label (CHECKs labels.size() == n).
  double Top1Percent(const std::vector<int32_t>& labels) const;

 private:
  int64_t n_;
  int k_;
  int members_ = 0;
  std::vector<double> sum_;
};

// Row-wise softmax of logits (N, K) in double, as float: a member's contribution.
std::vector<float> SoftmaxRows(const Tensor& logits);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_ENSEMBLE_H_
