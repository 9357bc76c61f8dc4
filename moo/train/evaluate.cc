// Test-set evaluation (evaluate.h).
#include "moo/train/evaluate.h"

#include <algorithm>

#include "moo/moo.h"
#include "moo/train/data.h"

namespace strata {
namespace moo {

StatusOr<EvalRecord> Evaluate(const models::Network& net, const models::ForwardContext& ctx,
                              datasets::Loader* loader, const LogitsFn& on_logits) {
  NoGradGuard no_grad;
  models::ForwardContext eval = ctx;
  eval.training = false;
  loader->StartEpoch(0);
  datasets::Batch b;
  double loss_sum = 0;
  int64_t top1 = 0, top5 = 0, n = 0;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(bool more, loader->Next(&b));
    if (!more) break;
    const Tensor logits = net.Forward(BatchTensor(b), eval);
    loss_sum += static_cast<double>(CrossEntropy(logits, b.labels).item()) * b.n;
    const int k = static_cast<int>(logits.dim(1));
    for (int i = 0; i < b.n; ++i) {
      const int rank = LabelRank(logits.data() + static_cast<int64_t>(i) * k, k, b.labels[i]);
      top1 += rank < 1;
      top5 += rank < 5;
    }
    if (on_logits) on_logits(logits, b.labels);
    n += b.n;
  }
  const double count = static_cast<double>(std::max<int64_t>(1, n));
  EvalRecord r;
  r.set_loss(loss_sum / count);
  r.set_top1(100.0 * top1 / count);
  r.set_top5(100.0 * top5 / count);
  return r;
}

StatusOr<EvalRecord> EvaluateTestSet(const ExperimentConfig& config, const models::Network& net,
                                     const models::ForwardContext& ctx, const LogitsFn& on_logits) {
  STRATA_ASSIGN_OR_RETURN(EvalSet test, OpenEvalSet(config, config.test_data(), "test_data"));
  return Evaluate(net, ctx, test.loader.get(), on_logits);
}

}  // namespace moo
}  // namespace strata
