// Mixed precision from one once-QAT model (seed 001 Sec. 6.4, Eq. 12; vl_fig8): per
// quantized layer m a width b_m from the model's widths, layer m running at W/A b_m/b_m with
// the model's own width-b_m weights (ŵ_b, Eqs. 3, 5, 6) and activation step, BN statistics
// re-estimated on training data.
//
//   STRATA_ASSIGN_OR_RETURN(MixedModel m, LoadMixedModel(run_dir));
//   STRATA_ASSIGN_OR_RETURN(MixedData data, OpenMixedData(m));
//   STRATA_ASSIGN_OR_RETURN(quant::MixedAllocation a,
//                           quant::SolveMixedPrecision(MixedLayers(m), Widths(m), budget));
//   STRATA_ASSIGN_OR_RETURN(double top1, EvaluateMixed(m, &data, a.bits, /*bn_images=*/2000));
//
// BN (Decision; the paper only says the statistics are re-estimated): every BN site takes
// the BN variant (affine and, before re-estimation, statistics) of the width of the layer
// whose output it normalizes — the quantized layer registered just before it (PyTorch
// construction order: conv, then its BN); the stem's BN, after the FP first conv, takes the
// first quantized layer's width. The mixed BNs are written into variant 0 and the network
// runs with ctx.variant = 0. Re-estimation: `bn_images` training images (the evaluation
// pipeline, no augmentation; a fixed shuffle by the run's seed), forward in training mode,
// every batch's statistics averaged with equal weights (PyTorch's momentum = None).
#ifndef STRATA_MOO_TRAIN_MIXED_H_
#define STRATA_MOO_TRAIN_MIXED_H_

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/datasets.h"
#include "engine/engine.h"
#include "models/models.h"
#include "moo/train/data.h"
#include "moo/train/model_file.h"
#include "quant/quant.h"

namespace strata {
namespace moo {

struct BnCopy {
  Tensor weight, bias, mean, var;
};

// One once-QAT model, ready to run any allocation.
struct MixedModel {
  OnceQatRun run;
  std::vector<int> layers;                  // quantized layer indices (forward order)
  std::vector<int64_t> sizes;               // N_m
  std::vector<std::vector<Tensor>> w_hat;   // [q][b - b0]: ŵ_b
  std::vector<std::vector<int32_t>> codes;  // [q]: q_N
  std::vector<int> site_layer;              // BN site -> quantized position it follows
  std::vector<std::vector<BnCopy>> bn;      // [site][variant], as trained
  int64_t fp_weights = 0;                   // first/last layers' weights
};
StatusOr<MixedModel> LoadMixedModel(const std::string& run_dir);

// The model's widths b0..N, and Eq. 12's inputs: per quantized layer its weight count and
// downsampling error ‖ŵ_b − ŵ_N‖² at each width.
std::vector<int> Widths(const MixedModel& m);
std::vector<quant::MixedLayer> MixedLayers(const MixedModel& m);
// "<BN site> <- <layer>, ...": which layer's width each BN site takes.
std::string BnSiteMap(const MixedModel& m);

// The run's training set (shuffled by its seed, for re-estimation) and test set, both
// through the evaluation pipeline.
struct MixedData {
  EvalSet train, test;
};
StatusOr<MixedData> OpenMixedData(const MixedModel& m);

// Test top-1 (%) of the allocation `bits` (one width per quantized layer), BN re-estimated
// on `bn_images` training images when > 0. At a uniform width without re-estimation it is
// the run's own evaluation of that width, bit for bit.
StatusOr<double> EvaluateMixed(const MixedModel& m, MixedData* data, const std::vector<int>& bits,
                               int bn_images);

// Variant 0's running statistics of every BN site of `net` := the mean of the batch
// statistics over the first `images` images of `loader` (forward in training mode under
// `ctx`; each batch's statistics read back from the running update r = m·stat after
// zeroing r). FailedPrecondition when the loader has no images.
Status ReestimateBn(const models::Network& net, const models::ForwardContext& ctx,
                    datasets::Loader* loader, int images);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_MIXED_H_
