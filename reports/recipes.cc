// The recipe an ExperimentConfig names (trainer.h: MakeRecipe, BnVariantsFor). Each
// method's recipe lives in moo/; this file maps the config's `recipe` oneof onto it.
#include "reports/trainer.h"

namespace strata {
namespace reports {
namespace {

// Proto defaults (0) mean the paper's widths: b0 = 2, N = 4.
moo::OnceQatOptions OnceQatOptionsFor(const OnceQatRecipeConfig& c) {
  moo::OnceQatOptions o;
  o.basic_bits = c.basic_bits() == 0 ? 2 : c.basic_bits();
  o.source_bits = c.source_bits() == 0 ? 4 : c.source_bits();
  o.compensation = !c.without_compensation();
  o.moo = c.moo() == OnceQatRecipeConfig::MGD ? moo::MooMethod::kMgd
                                              : moo::MooMethod::kUnitaryScalarization;
  o.kd = c.self_kd() == OnceQatRecipeConfig::COSINE ? moo::KdKind::kCosine
         : c.self_kd() == OnceQatRecipeConfig::KL   ? moo::KdKind::kKl
                                                    : moo::KdKind::kNone;
  o.bn = c.bn() == OnceQatRecipeConfig::SHARED          ? moo::BnMode::kShared
         : c.bn() == OnceQatRecipeConfig::SHARED_AFFINE ? moo::BnMode::kSharedAffine
                                                        : moo::BnMode::kIndividual;
  o.per_bit_ends = c.per_bit_first_last();
  o.act_init = c.activation_init() == OnceQatRecipeConfig::LSQ ? moo::ActInit::kLsq
                                                               : moo::ActInit::kMax;
  return o;
}

moo::PrecisionPlan PlanFor(const PrecisionPlan& p) {
  moo::PrecisionPlan plan;
  plan.w_bits = p.w_bits(), plan.a_bits = p.a_bits(), plan.eight_bit_ends = p.eight_bit_ends();
  for (const PrecisionPlan::Layer& l : p.layers()) plan.layers.push_back({l.name(), l.w_bits(), l.a_bits()});
  return plan;
}

// Proto defaults (0) mean the paper's widths: b0 = 2, N = 4.
template <typename C>
moo::NestedOptions NestedFor(const C& c) {
  moo::NestedOptions o;
  o.basic_bits = c.basic_bits() == 0 ? 2 : c.basic_bits();
  o.max_bits = c.max_bits() == 0 ? 4 : c.max_bits();
  return o;
}

// Proto defaults (0) mean the paper's widths: b0 = 2, N = 4.
moo::QatFinetuneOptions QatFinetuneFor(const QatFinetuneRecipeConfig& c) {
  moo::QatFinetuneOptions o;
  o.basic_bits = c.basic_bits() == 0 ? 2 : c.basic_bits();
  o.source_bits = c.source_bits() == 0 ? 4 : c.source_bits();
  return o;
}
moo::AdabitsOptions AdabitsFor(const AdabitsRecipeConfig& c) {
  moo::AdabitsOptions o;
  o.basic_bits = c.basic_bits() == 0 ? 2 : c.basic_bits();
  o.max_bits = c.max_bits() == 0 ? 4 : c.max_bits();
  return o;
}

template <typename R>
StatusOr<std::unique_ptr<moo::Recipe>> AsRecipe(StatusOr<std::unique_ptr<R>> r) {
  if (!r.ok()) return r.status();
  return std::unique_ptr<moo::Recipe>(std::move(r).value());
}

}  // namespace


StatusOr<std::unique_ptr<moo::Recipe>> MakeRecipe(const ExperimentConfig& config,
                                                  const models::Network& net) {
  switch (config.recipe_case()) {
    case ExperimentConfig::kLsq:
      return AsRecipe(moo::LsqRecipe::Create(PlanFor(config.lsq().plan()), net));
    case ExperimentConfig::kAscending:
      return AsRecipe(moo::AscendingRecipe::Create(NestedFor(config.ascending()), net));
    case ExperimentConfig::kCotrain:
      return AsRecipe(moo::CotrainRecipe::Create(NestedFor(config.cotrain()), net));
    case ExperimentConfig::kInq: {
      moo::InqOptions o;
      o.bits = config.inq().bits();
      o.schedule.assign(config.inq().schedule().begin(), config.inq().schedule().end());
      StatusOr<std::unique_ptr<moo::InqRecipe>> r = moo::InqRecipe::Create(net, o);
      if (!r.ok()) return r.status().Annotate("inq: ");
      return std::unique_ptr<moo::Recipe>(std::move(r).value());
    }
    case ExperimentConfig::kOnceQat: {
      moo::OnceQatOptions o = OnceQatOptionsFor(config.once_qat());
      // The loop's SGD leaves recipe parameters undecayed: the per-bit first/last copies get
      // the config's coupled decay from the recipe (none under decoupled decay).
      if (!config.optimizer().decoupled_weight_decay()) {
        o.ends_weight_decay = static_cast<float>(config.optimizer().weight_decay());
      }
      StatusOr<std::unique_ptr<moo::OnceQatRecipe>> r = moo::OnceQatRecipe::Create(o, net);
      if (!r.ok()) return r.status();
      return std::unique_ptr<moo::Recipe>(std::move(r).value());
    }
    case ExperimentConfig::kQatFinetune:
      return AsRecipe(moo::QatFinetuneRecipe::Create(QatFinetuneFor(config.qat_finetune()), net));
    case ExperimentConfig::kAdabits:
      return AsRecipe(moo::AdabitsRecipe::Create(AdabitsFor(config.adabits()), net));
    default:
      return std::unique_ptr<moo::Recipe>(std::make_unique<moo::FpRecipe>());
  }
}

int BnVariantsFor(const ExperimentConfig& config) {
  switch (config.recipe_case()) {
    case ExperimentConfig::kAscending:
      return NestedFor(config.ascending()).slots();
    case ExperimentConfig::kCotrain:
      return NestedFor(config.cotrain()).slots();
    case ExperimentConfig::kOnceQat:
      return OnceQatOptionsFor(config.once_qat()).bn_variants();
    case ExperimentConfig::kQatFinetune:
      return QatFinetuneFor(config.qat_finetune()).slots();
    case ExperimentConfig::kAdabits:
      return AdabitsFor(config.adabits()).slots();
    default:
      return 1;
  }
}

}  // namespace reports
}  // namespace strata
