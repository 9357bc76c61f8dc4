// Ensembles of finished runs (ensemble_eval.h).
#include "moo/train/ensemble_eval.h"

#include <cmath>
#include <optional>

#include "moo/moo.h"
#include "moo/train/evaluate.h"
#include "moo/train/load_run.h"

namespace strata {
namespace moo {

StatusOr<MemberOutput> EvaluateMember(const std::string& run_dir) {
  STRATA_ASSIGN_OR_RETURN(LoadedRun run, LoadRun(run_dir));
  MemberOutput out;
  STRATA_ASSIGN_OR_RETURN(
      EvalRecord e,
      EvaluateTestSet(run.config, *run.net, run.EvalContext(),
                      [&out](const Tensor& logits, const std::vector<int32_t>& labels) {
                        const std::vector<float> p = SoftmaxRows(logits);
                        out.probs.insert(out.probs.end(), p.begin(), p.end());
                        out.labels.insert(out.labels.end(), labels.begin(), labels.end());
                        out.k = static_cast<int>(logits.dim(1));
                      }));
  Ensemble self(static_cast<int64_t>(out.labels.size()), out.k);
  self.Add(out.probs);
  const double top1 = self.Top1Percent(out.labels);
  if (std::fabs(top1 - run.result.final_test_top1()) > 1e-9) {
    return FailedPreconditionError("ensemble member " + run_dir + ": re-evaluated top-1 " +
                                   std::to_string(top1) + " != the run's " +
                                   std::to_string(run.result.final_test_top1()) +
                                   " (the evaluation pipeline differs from the training loop's)");
  }
  return out;
}

StatusOr<std::vector<double>> EnsembleCurve(const std::vector<Member>& members) {
  std::vector<double> curve;
  std::optional<Ensemble> e;
  std::vector<int32_t> labels;
  bool diverged = false;
  for (const Member& m : members) {
    diverged |= m.result->diverged();
    if (diverged) {
      curve.push_back(std::nan(""));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(MemberOutput out, EvaluateMember(m.dir));
    if (!e) {
      e.emplace(static_cast<int64_t>(out.labels.size()), out.k);
      labels = out.labels;
    }
    e->Add(out.probs);
    curve.push_back(e->Top1Percent(labels));
  }
  return curve;
}

}  // namespace moo
}  // namespace strata
