// The recipe an ExperimentConfig names (trainer.h: MakeRecipe, BnVariantsFor). Each
// method's recipe lives in moo/; this file maps the config's `recipe` oneof onto it.
#include "reports/trainer.h"

namespace strata {
namespace reports {

StatusOr<std::unique_ptr<moo::Recipe>> MakeRecipe(const ExperimentConfig& config,
                                                  const models::Network&) {
  switch (config.recipe_case()) {
    default:
      return std::unique_ptr<moo::Recipe>(std::make_unique<moo::FpRecipe>());
  }
}

int BnVariantsFor(const ExperimentConfig& config) {
  switch (config.recipe_case()) {
    default:
      return 1;
  }
}

}  // namespace reports
}  // namespace strata
