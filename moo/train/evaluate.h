// Test-set evaluation, in one place: the loop's per-epoch evaluation points, a reloaded
// run, a model file, an ensemble member and a mixed-precision network all run it.
//
//   STRATA_ASSIGN_OR_RETURN(EvalRecord e, Evaluate(*net, ctx, test.loader.get()));
//   e.top1(), e.top5(), e.loss()
#ifndef STRATA_MOO_TRAIN_EVALUATE_H_
#define STRATA_MOO_TRAIN_EVALUATE_H_

#include <functional>
#include <vector>

#include "datasets/datasets.h"
#include "engine/engine.h"
#include "models/models.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

// Sees each batch's logits (N, K) and labels, in the loader's order.
using LogitsFn = std::function<void(const Tensor& logits, const std::vector<int32_t>& labels)>;

// `net` in eval mode (ctx.training forced false, no gradient recorded) over every batch of
// `loader` from its first (StartEpoch(0)): mean cross-entropy, top-1 and top-5 in percent
// (ties broken by class index, LabelRank). The name is left empty. Deterministic: a fixed
// batch order and double sums.
StatusOr<EvalRecord> Evaluate(const models::Network& net, const models::ForwardContext& ctx,
                              datasets::Loader* loader, const LogitsFn& on_logits = nullptr);

// Evaluate over config's test set (OpenEvalSet): the accuracy its run recorded when `net`
// holds the run's weights and `ctx` is the run's evaluation point.
StatusOr<EvalRecord> EvaluateTestSet(const ExperimentConfig& config, const models::Network& net,
                                     const models::ForwardContext& ctx,
                                     const LogitsFn& on_logits = nullptr);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_EVALUATE_H_
