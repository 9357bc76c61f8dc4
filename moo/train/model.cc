// One ModelSpec from a config (model.h).
#include "moo/train/model.h"

#include <algorithm>

#include "moo/train/recipes.h"

namespace strata {
namespace moo {

InputShape ShapeOf(const RunData& d) {
  InputShape in;
  in.channels = d.train_loader->channels();
  in.input_size = d.train_loader->height();
  in.train_classes = d.train->num_classes();
  in.test_classes = d.test->num_classes();
  return in;
}

void ResolveModelFields(const InputShape& in, ExperimentConfig* c) {
  if (c->model().in_channels() == 0) c->mutable_model()->set_in_channels(in.channels);
  if (c->model().num_classes() == 0) c->mutable_model()->set_num_classes(in.train_classes);
}

StatusOr<models::ModelSpec> ModelSpecFor(const ExperimentConfig& config, const InputShape& in) {
  ExperimentConfig c = config;
  ResolveModelFields(in, &c);
  models::ModelSpec spec;
  spec.name = c.model().name();
  spec.width = c.model().width() == 0 ? 1.0 : c.model().width();
  spec.in_channels = c.model().in_channels();
  spec.num_classes = c.model().num_classes();
  spec.input_size = in.input_size;
  spec.seed = c.seed();
  spec.bn_variants = BnVariantsFor(c);
  if (spec.in_channels != in.channels) {
    return InvalidArgumentError("model.in_channels: " + std::to_string(spec.in_channels) +
                                " but train_data has " + std::to_string(in.channels) + " channels");
  }
  if (spec.num_classes < in.train_classes || spec.num_classes < in.test_classes) {
    return InvalidArgumentError("model.num_classes: " + std::to_string(spec.num_classes) +
                                " is fewer than the data's " +
                                std::to_string(std::max(in.train_classes, in.test_classes)));
  }
  return spec;
}

}  // namespace moo
}  // namespace strata
