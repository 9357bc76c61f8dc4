// Ensembles of finished runs (seed 004): each member reloaded (LoadRun) and run over its
// test set, the members' softmax outputs averaged (moo::Ensemble).
//
//   STRATA_ASSIGN_OR_RETURN(std::vector<double> curve, EnsembleCurve({dir1, dir2, dir3}));
//   curve[m - 1]: top-1 (%) of the first m members' mean softmax
//
// Every member's own top-1, re-evaluated here, must equal the top-1 its run recorded, else
// a FailedPrecondition naming the member: the weights and the pipeline are the run's.
// Deterministic: fixed member order, double sums, no shuffling.
#ifndef STRATA_MOO_TRAIN_ENSEMBLE_EVAL_H_
#define STRATA_MOO_TRAIN_ENSEMBLE_EVAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

// A member's test-set softmax (N, K), row-major, and the labels.
struct MemberOutput {
  std::vector<float> probs;
  std::vector<int32_t> labels;
  int k = 0;
};
StatusOr<MemberOutput> EvaluateMember(const std::string& run_dir);

// A member: its run directory and its recorded result (diverged members end the curve).
struct Member {
  std::string dir;
  const RunResult* result = nullptr;
};
// Top-1 (%) of the first m members' mean softmax for m = 1..members.size(); NaN from the
// first diverged member on.
StatusOr<std::vector<double>> EnsembleCurve(const std::vector<Member>& members);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_ENSEMBLE_EVAL_H_
