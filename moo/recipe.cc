// The Recipe interface's defaults and the floating-point recipe (recipe.h).
#include "moo/recipe.h"

#include <cmath>
#include <sstream>

namespace strata {
namespace moo {

Status CheckInRange(const std::string& field, double value, double lo, double hi, bool lo_open,
                    bool hi_open) {
  const bool ok = std::isfinite(value) && (lo_open ? value > lo : value >= lo) &&
                  (hi_open ? value < hi : value <= hi);
  if (ok) return Status::Ok();
  std::ostringstream o;
  o << field << ": " << value << " must be in " << (lo_open ? "(" : "[") << lo << ", " << hi
    << (hi_open ? ")" : "]");
  return InvalidArgumentError(o.str());
}

Status Recipe::BeginStage(int, bool, const models::Network&) { return Status::Ok(); }

void Recipe::AfterStep(const models::Network&) {}

std::vector<EvalPoint> Recipe::Evals() const { return {EvalPoint()}; }

int LabelRank(const float* row, int k, int label) {
  int rank = 0;
  for (int j = 0; j < k; ++j) {
    rank += row[j] > row[label] || (row[j] == row[label] && j < label);
  }
  return rank;
}

int64_t CountTop1(const Tensor& logits, const std::vector<int32_t>& labels) {
  const int k = static_cast<int>(logits.dim(1));
  int64_t hits = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    hits += LabelRank(logits.data() + static_cast<int64_t>(i) * k, k, labels[i]) == 0;
  }
  return hits;
}

StepMetrics FpRecipe::Step(const StepInput& in) {
  const Tensor logits = in.net->Forward(in.images, in.ctx);
  const Tensor loss = CrossEntropy(logits, *in.labels);
  StepMetrics m;
  m.loss = loss.item();
  m.count = in.batch_size();
  m.correct = CountTop1(logits, *in.labels);
  if (std::isfinite(m.loss)) Backward({loss});
  return m;
}

}  // namespace moo
}  // namespace strata
