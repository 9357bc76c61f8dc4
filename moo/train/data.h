// The data pipeline of an experiment, in one place: which sets a config opens, how their
// images are normalized (datasets::NormalizationFor the training set's kind) and
// augmented, and the loaders the loop, the evaluation and every consumer of a finished run
// read. Same config => same batches, in the same order.
//
//   STRATA_ASSIGN_OR_RETURN(RunData d, OpenRunData(config));
//   d.train_loader->StartEpoch(epoch);  ... d.train_loader->Next(&batch) ...
//   STRATA_ASSIGN_OR_RETURN(EvalSet test, OpenEvalSet(config, config.test_data(), "test_data"));
#ifndef STRATA_MOO_TRAIN_DATA_H_
#define STRATA_MOO_TRAIN_DATA_H_

#include <memory>
#include <string>

#include "datasets/datasets.h"
#include "engine/engine.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

// The images of `data` through config's pipeline: training augmentation (config's
// `augmentation`) when `train`, else the evaluation pipeline (pad 28x28 to 32, or ImageNet's
// resize and center crop); always normalized by the training set's kind.
datasets::Pipeline PipelineFor(const ExperimentConfig& config, const datasets::Dataset& data,
                               bool train);

// One set through the evaluation pipeline, config's eval batch size (0: 256) and seed.
struct EvalSet {
  std::unique_ptr<datasets::Dataset> data;
  std::unique_ptr<datasets::Loader> loader;
};
// `shuffle`: the batches in an order fixed by config's seed (a subset of a training set for
// BN re-estimation); else in the set's order. Errors are prefixed with `field`.
StatusOr<EvalSet> OpenEvalSet(const ExperimentConfig& config, const datasets::DatasetConfig& data,
                              const std::string& field, bool shuffle = false);

// Both sets of a run: the training loader (augmented, shuffled per epoch by the seed) and
// the test loader (OpenEvalSet). Errors name "train_data: ..." / "test_data: ...", and a test
// set whose channels differ from the training set's.
struct RunData {
  std::unique_ptr<datasets::Dataset> train, test;
  std::unique_ptr<datasets::Loader> train_loader, test_loader;
};
StatusOr<RunData> OpenRunData(const ExperimentConfig& config);

// A batch as one (N, C, H, W) tensor.
Tensor BatchTensor(const datasets::Batch& batch);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_DATA_H_
