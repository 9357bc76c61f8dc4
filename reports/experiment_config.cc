// ExperimentConfig parsing and validation; deterministic protobuf serialization.
#include <cmath>
#include <sstream>
#include <tuple>
#include <vector>

#include "quant/quant.h"
#include "reports/trainer.h"

namespace strata {
namespace reports {
namespace {


// "optimizer.lr: -0.1 must be in (0, 100]".
Status Range(const std::string& field, double value, double lo, double hi, bool lo_open = false,
             bool hi_open = false) {
  const bool ok = std::isfinite(value) && (lo_open ? value > lo : value >= lo) &&
                  (hi_open ? value < hi : value <= hi);
  if (ok) return Status::Ok();
  std::ostringstream o;
  o << field << ": " << value << " must be in " << (lo_open ? "(" : "[") << lo << ", " << hi
    << (hi_open ? ")" : "]");
  return InvalidArgumentError(o.str());
}

}  // namespace

Status ValidateExperimentConfig(const ExperimentConfig& c) {
  if (c.model().name().empty()) return InvalidArgumentError("model.name: missing");
  if (c.model().width() != 0)
    STRATA_RETURN_IF_ERROR(Range("model.width", c.model().width(), 0, 8, true));
  STRATA_RETURN_IF_ERROR(Range("model.in_channels", c.model().in_channels(), 0, 64));
  STRATA_RETURN_IF_ERROR(Range("model.num_classes", c.model().num_classes(), 0, 100000));
  STRATA_RETURN_IF_ERROR(Range("batch_size", c.batch_size(), 1, 65536));
  STRATA_RETURN_IF_ERROR(Range("eval_batch_size", c.eval_batch_size(), 0, 65536));
  STRATA_RETURN_IF_ERROR(Range("epochs", c.epochs(), 1, 100000));
  STRATA_RETURN_IF_ERROR(Range("threads", c.threads(), 0, 1024));
  const OptimizerConfig& o = c.optimizer();
  STRATA_RETURN_IF_ERROR(Range("optimizer.lr", o.lr(), 0, 100, /*lo_open=*/true));
  STRATA_RETURN_IF_ERROR(Range("optimizer.momentum", o.momentum(), 0, 1, false, true));
  STRATA_RETURN_IF_ERROR(Range("optimizer.weight_decay", o.weight_decay(), 0, 1));
  if (o.nesterov() && o.momentum() == 0) {
    return InvalidArgumentError("optimizer.nesterov: true needs optimizer.momentum > 0");
  }
  const ScheduleConfig& s = c.schedule();
  STRATA_RETURN_IF_ERROR(Range("schedule.warmup_epochs", s.warmup_epochs(), 0, c.epochs()));
  if (s.kind() == ScheduleConfig::STEP) {
    STRATA_RETURN_IF_ERROR(Range("schedule.step_epochs", s.step_epochs(), 1, 100000));
    if (s.gamma() != 0) STRATA_RETURN_IF_ERROR(Range("schedule.gamma", s.gamma(), 0, 1, true));
  }
  if (c.train_data().kind() == datasets::DatasetConfig::KIND_UNSPECIFIED) {
    return InvalidArgumentError("train_data: missing (or kind unset)");
  }
  if (c.test_data().kind() == datasets::DatasetConfig::KIND_UNSPECIFIED) {
    return InvalidArgumentError("test_data: missing (or kind unset)");
  }
  if (c.has_inq()) {
    // seed 004's range (quant::ValidateInqBits); the schedule as quant::ValidateInqSchedule.
    STRATA_RETURN_IF_ERROR(Range("inq.bits", c.inq().bits(), 2, 9));
    const std::vector<double> portions(c.inq().schedule().begin(), c.inq().schedule().end());
    if (!portions.empty()) {
      const Status s = quant::ValidateInqSchedule(portions);
      if (!s.ok()) return InvalidArgumentError("inq.schedule: " + s.message());
    }
  }
  if (c.has_once_qat()) {
    // 0 means the paper's b0 = 2, N = 4 (recipes.cc).
    const int b0 = c.once_qat().basic_bits() == 0 ? 2 : c.once_qat().basic_bits();
    const int n = c.once_qat().source_bits() == 0 ? 4 : c.once_qat().source_bits();
    STRATA_RETURN_IF_ERROR(Range("once_qat.basic_bits", b0, 1, 8));
    STRATA_RETURN_IF_ERROR(Range("once_qat.source_bits", n, b0, 8));
    if (!OnceQatRecipeConfig::Bn_IsValid(c.once_qat().bn())) {
      return InvalidArgumentError("once_qat.bn: " + std::to_string(c.once_qat().bn()) +
                                  " is not a BN mode (INDIVIDUAL, SHARED, SHARED_AFFINE)");
    }
  }
  if (c.has_lsq()) {
    // Layer names are checked against the network in MakeRecipe (moo::ResolvePlan).
    const PrecisionPlan& p = c.lsq().plan();
    STRATA_RETURN_IF_ERROR(Range("lsq.plan.w_bits", p.w_bits(), 1, 16));
    STRATA_RETURN_IF_ERROR(Range("lsq.plan.a_bits", p.a_bits(), 1, 16));
    for (int k = 0; k < p.layers_size(); ++k) {
      const std::string f = "lsq.plan.layers[" + std::to_string(k) + "]";
      if (p.layers(k).name().empty()) return InvalidArgumentError(f + ".name: missing");
      STRATA_RETURN_IF_ERROR(Range(f + ".w_bits", p.layers(k).w_bits(), 0, 16));
      STRATA_RETURN_IF_ERROR(Range(f + ".a_bits", p.layers(k).a_bits(), 0, 16));
    }
  }
  for (const auto& [field, basic, max] :
       {std::tuple(std::string("ascending"), c.ascending().basic_bits(), c.ascending().max_bits()),
        std::tuple(std::string("cotrain"), c.cotrain().basic_bits(), c.cotrain().max_bits())}) {
    if ((field == "ascending" && !c.has_ascending()) || (field == "cotrain" && !c.has_cotrain())) continue;
    // 0 means the paper's b0 = 2, N = 4 (recipes.cc).
    const int b0 = basic == 0 ? 2 : basic, n = max == 0 ? 4 : max;
    STRATA_RETURN_IF_ERROR(Range(field + ".basic_bits", b0, 1, 15));
    STRATA_RETURN_IF_ERROR(Range(field + ".max_bits", n, b0 + 1, 16));
  }
  if (c.has_qat_finetune() || c.has_adabits()) {
    // 0 means the paper's b0 = 2, N = 4 (recipes.cc).
    const bool ft = c.has_qat_finetune();
    const std::string field = ft ? "qat_finetune" : "adabits";
    const int basic = ft ? c.qat_finetune().basic_bits() : c.adabits().basic_bits();
    const int top = ft ? c.qat_finetune().source_bits() : c.adabits().max_bits();
    const int b0 = basic == 0 ? 2 : basic, n = top == 0 ? 4 : top;
    STRATA_RETURN_IF_ERROR(Range(field + ".basic_bits", b0, 1, 15));
    STRATA_RETURN_IF_ERROR(Range(field + (ft ? ".source_bits" : ".max_bits"), n, b0 + 1, 16));
  }
  return Status::Ok();
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

}  // namespace reports
}  // namespace strata
