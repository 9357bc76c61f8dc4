// The recipe an ExperimentConfig names (recipes.h): its option message through the
// recipe's OptionsFrom, then the recipe's Create.
#include "moo/train/recipes.h"

namespace strata {
namespace moo {
namespace {

// R::Create(options, net) as a Recipe, for options that validated.
template <typename R, typename O>
StatusOr<std::unique_ptr<Recipe>> Make(const StatusOr<O>& options, const models::Network& net) {
  if (!options.ok()) return options.status();
  StatusOr<std::unique_ptr<R>> r = R::Create(*options, net);
  if (!r.ok()) return r.status();
  return std::unique_ptr<Recipe>(std::move(r).value());
}

// once-QAT's options with the loop's weight decay: SGD leaves recipe parameters undecayed,
// so the per-bit first/last copies get the config's coupled decay from the recipe (none
// under decoupled decay).
StatusOr<OnceQatOptions> OnceQatFor(const ExperimentConfig& config) {
  STRATA_ASSIGN_OR_RETURN(OnceQatOptions o, OnceQatOptionsFrom(config.once_qat()));
  if (!config.optimizer().decoupled_weight_decay()) {
    o.ends_weight_decay = static_cast<float>(config.optimizer().weight_decay());
  }
  return o;
}

}  // namespace

StatusOr<std::unique_ptr<Recipe>> MakeRecipe(const ExperimentConfig& config,
                                             const models::Network& net) {
  switch (config.recipe_case()) {
    case ExperimentConfig::kLsq:
      return Make<LsqRecipe>(PlanFrom(config.lsq().plan(), "lsq.plan"), net);
    case ExperimentConfig::kAscending:
      return Make<AscendingRecipe>(NestedOptionsFrom(config.ascending()), net);
    case ExperimentConfig::kCotrain:
      return Make<CotrainRecipe>(NestedOptionsFrom(config.cotrain()), net);
    case ExperimentConfig::kInq: {
      STRATA_ASSIGN_OR_RETURN(InqOptions o, InqOptionsFrom(config.inq()));
      StatusOr<std::unique_ptr<InqRecipe>> r = InqRecipe::Create(net, o);
      if (!r.ok()) return r.status().Annotate("inq: ");
      return std::unique_ptr<Recipe>(std::move(r).value());
    }
    case ExperimentConfig::kOnceQat:
      return Make<OnceQatRecipe>(OnceQatFor(config), net);
    case ExperimentConfig::kQatFinetune:
      return Make<QatFinetuneRecipe>(QatFinetuneOptionsFrom(config.qat_finetune()), net);
    case ExperimentConfig::kAdabits:
      return Make<AdabitsRecipe>(AdabitsOptionsFrom(config.adabits()), net);
    default:
      return std::unique_ptr<Recipe>(std::make_unique<FpRecipe>());
  }
}

Status ValidateRecipeOptions(const ExperimentConfig& config) {
  switch (config.recipe_case()) {
    case ExperimentConfig::kLsq:
      return PlanFrom(config.lsq().plan(), "lsq.plan").status();
    case ExperimentConfig::kAscending:
      return NestedOptionsFrom(config.ascending()).status();
    case ExperimentConfig::kCotrain:
      return NestedOptionsFrom(config.cotrain()).status();
    case ExperimentConfig::kInq:
      return InqOptionsFrom(config.inq()).status();
    case ExperimentConfig::kOnceQat:
      return OnceQatOptionsFrom(config.once_qat()).status();
    case ExperimentConfig::kQatFinetune:
      return QatFinetuneOptionsFrom(config.qat_finetune()).status();
    case ExperimentConfig::kAdabits:
      return AdabitsOptionsFrom(config.adabits()).status();
    default:
      return Status::Ok();
  }
}

int BnVariantsFor(const ExperimentConfig& config) {
  auto slots = [](const auto& options) { return options.ok() ? options->slots() : 1; };
  switch (config.recipe_case()) {
    case ExperimentConfig::kAscending:
      return slots(NestedOptionsFrom(config.ascending()));
    case ExperimentConfig::kCotrain:
      return slots(NestedOptionsFrom(config.cotrain()));
    case ExperimentConfig::kOnceQat: {
      const StatusOr<OnceQatOptions> o = OnceQatOptionsFrom(config.once_qat());
      return o.ok() ? o->bn_variants() : 1;
    }
    case ExperimentConfig::kQatFinetune:
      return slots(QatFinetuneOptionsFrom(config.qat_finetune()));
    case ExperimentConfig::kAdabits:
      return slots(AdabitsOptionsFrom(config.adabits()));
    default:
      return 1;
  }
}

}  // namespace moo
}  // namespace strata
