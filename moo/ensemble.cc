// Mean-of-softmax ensembles (ensemble.h).
#include "moo/ensemble.h"

#include <algorithm>
#include <cmath>

namespace strata {
namespace moo {

Ensemble::Ensemble(int64_t n, int k) : n_(n), k_(k), sum_(static_cast<size_t>(n) * k, 0.0) {}

void Ensemble::Add(const std::vector<float>& probs) {
  CHECK_EQ(static_cast<int64_t>(probs.size()), n_ * k_) << "Ensemble::Add: probabilities";
  for (size_t i = 0; i < sum_.size(); ++i) sum_[i] += probs[i];
  ++members_;
}

double Ensemble::Mean(int64_t i, int j) const {
  CHECK(members_ > 0) << "Ensemble::Mean: no members";
  return sum_[static_cast<size_t>(i) * k_ + j] / members_;
}

double Ensemble::Top1Percent(const std::vector<int32_t>& labels) const {
  CHECK_EQ(static_cast<int64_t>(labels.size()), n_) << "Ensemble::Top1Percent: labels";
  int64_t hits = 0;
  for (int64_t i = 0; i < n_; ++i) {
    const double* row = sum_.data() + i * k_;
    hits += std::max_element(row, row + k_) - row == labels[i];  // first max: lower index
  }
  return n_ == 0 ? 0.0 : 100.0 * static_cast<double>(hits) / static_cast<double>(n_);
}

std::vector<float> SoftmaxRows(const Tensor& logits) {
  const int64_t n = logits.dim(0);
  const int k = static_cast<int>(logits.dim(1));
  std::vector<float> out(static_cast<size_t>(n) * k);
  for (int64_t i = 0; i < n; ++i) {
    const float* z = logits.data() + i * k;
    const double m = *std::max_element(z, z + k);
    double s = 0;
    for (int j = 0; j < k; ++j) s += std::exp(z[j] - m);
    for (int j = 0; j < k; ++j) out[i * k + j] = static_cast<float>(std::exp(z[j] - m) / s);
  }
  return out;
}

}  // namespace moo
}  // namespace strata
