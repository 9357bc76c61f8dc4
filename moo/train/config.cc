// ExperimentConfig parsing and validation (config.h).
#include "moo/train/config.h"

#include "moo/train/proto_json.h"
#include "moo/train/recipes.h"

namespace strata {
namespace moo {

Status ValidateExperimentConfig(const ExperimentConfig& c) {
  if (c.model().name().empty()) return InvalidArgumentError("model.name: missing");
  if (c.model().width() != 0)
    STRATA_RETURN_IF_ERROR(CheckInRange("model.width", c.model().width(), 0, 8, true));
  STRATA_RETURN_IF_ERROR(CheckInRange("model.in_channels", c.model().in_channels(), 0, 64));
  STRATA_RETURN_IF_ERROR(CheckInRange("model.num_classes", c.model().num_classes(), 0, 100000));
  STRATA_RETURN_IF_ERROR(CheckInRange("batch_size", c.batch_size(), 1, 65536));
  STRATA_RETURN_IF_ERROR(CheckInRange("eval_batch_size", c.eval_batch_size(), 0, 65536));
  STRATA_RETURN_IF_ERROR(CheckInRange("epochs", c.epochs(), 1, 100000));
  STRATA_RETURN_IF_ERROR(CheckInRange("threads", c.threads(), 0, 1024));
  const OptimizerConfig& o = c.optimizer();
  STRATA_RETURN_IF_ERROR(CheckInRange("optimizer.lr", o.lr(), 0, 100, /*lo_open=*/true));
  STRATA_RETURN_IF_ERROR(CheckInRange("optimizer.momentum", o.momentum(), 0, 1, false, true));
  STRATA_RETURN_IF_ERROR(CheckInRange("optimizer.weight_decay", o.weight_decay(), 0, 1));
  if (o.nesterov() && o.momentum() == 0) {
    return InvalidArgumentError("optimizer.nesterov: true needs optimizer.momentum > 0");
  }
  const ScheduleConfig& s = c.schedule();
  STRATA_RETURN_IF_ERROR(CheckInRange("schedule.warmup_epochs", s.warmup_epochs(), 0, c.epochs()));
  if (s.kind() == ScheduleConfig::STEP) {
    STRATA_RETURN_IF_ERROR(CheckInRange("schedule.step_epochs", s.step_epochs(), 1, 100000));
    if (s.gamma() != 0)
      STRATA_RETURN_IF_ERROR(CheckInRange("schedule.gamma", s.gamma(), 0, 1, true));
  }
  if (c.train_data().kind() == datasets::DatasetConfig::KIND_UNSPECIFIED) {
    return InvalidArgumentError("train_data: missing (or kind unset)");
  }
  if (c.test_data().kind() == datasets::DatasetConfig::KIND_UNSPECIFIED) {
    return InvalidArgumentError("test_data: missing (or kind unset)");
  }
  // The recipe's fields, where its defaults and ranges live (moo/<recipe>.h).
  return ValidateRecipeOptions(c);
}

StatusOr<ExperimentConfig> ParseExperimentConfig(const std::string& text,
                                                 const std::string& source) {
  ExperimentConfig config;
  std::string error;
  if (!ParseTextProto(text, source, &config, &error)) return InvalidArgumentError(error);
  if (config.recipe_case() == ExperimentConfig::RECIPE_NOT_SET) config.mutable_fp();
  const Status valid = ValidateExperimentConfig(config);
  if (!valid.ok()) return Status(valid.code(), source + ": " + valid.message());
  return config;
}

StatusOr<ExperimentConfig> LoadExperimentConfig(const std::string& path) {
  if (!FileExists(path)) return NotFoundError("config file " + path + " does not exist");
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseExperimentConfig(text, path);
}

}  // namespace moo
}  // namespace strata
