// The data pipeline of an experiment (data.h).
#include "moo/train/data.h"

#include <cstring>

namespace strata {
namespace moo {
namespace {

StatusOr<std::unique_ptr<datasets::Dataset>> OpenSet(const datasets::DatasetConfig& config,
                                                     const std::string& field) {
  StatusOr<std::unique_ptr<datasets::Dataset>> ds = datasets::Open(config);
  if (!ds.ok()) return ds.status().Annotate(field + ": ");
  return ds;
}

}  // namespace

datasets::Pipeline PipelineFor(const ExperimentConfig& c, const datasets::Dataset& data,
                               bool train) {
  const datasets::Normalization norm = datasets::NormalizationFor(c.train_data().kind());
  const bool pad_to_32 = data.height() == 28 && data.width() == 28;
  switch (c.augmentation()) {
    case ExperimentConfig::IMAGENET_STYLE:
      return datasets::ImageNetStyle(train, norm);
    case ExperimentConfig::NONE:
      return datasets::CifarStyle(/*train=*/false, pad_to_32, norm);
    default:
      return datasets::CifarStyle(train, pad_to_32, norm);
  }
}

StatusOr<EvalSet> OpenEvalSet(const ExperimentConfig& c, const datasets::DatasetConfig& data,
                              const std::string& field, bool shuffle) {
  EvalSet set;
  STRATA_ASSIGN_OR_RETURN(set.data, OpenSet(data, field));
  datasets::LoaderOptions o;
  o.batch_size = c.eval_batch_size() > 0 ? c.eval_batch_size() : 256;
  o.shuffle = shuffle;
  o.seed = c.seed();
  o.prefetch_threads = 1;
  STRATA_ASSIGN_OR_RETURN(
      set.loader, datasets::Loader::Create(set.data.get(), PipelineFor(c, *set.data, false), o));
  return set;
}

StatusOr<RunData> OpenRunData(const ExperimentConfig& c) {
  RunData d;
  STRATA_ASSIGN_OR_RETURN(d.train, OpenSet(c.train_data(), "train_data"));
  STRATA_ASSIGN_OR_RETURN(EvalSet test, OpenEvalSet(c, c.test_data(), "test_data"));
  d.test = std::move(test.data);
  d.test_loader = std::move(test.loader);
  if (d.test->channels() != d.train->channels()) {
    return InvalidArgumentError("test_data: " + std::to_string(d.test->channels()) +
                                " channels, train_data has " + std::to_string(d.train->channels()));
  }
  datasets::LoaderOptions opt;
  opt.batch_size = c.batch_size();
  opt.seed = c.seed();
  opt.prefetch_threads = 1;
  STRATA_ASSIGN_OR_RETURN(
      d.train_loader, datasets::Loader::Create(d.train.get(), PipelineFor(c, *d.train, true), opt));
  return d;
}

Tensor BatchTensor(const datasets::Batch& b) {
  Tensor x = Tensor::Empty({b.n, b.c, b.h, b.w});
  std::memcpy(x.data(), b.images.data(), b.images.size() * sizeof(float));
  return x;
}

}  // namespace moo
}  // namespace strata
