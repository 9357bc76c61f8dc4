// The recipe an ExperimentConfig names, built from its option message by the recipe's own
// OptionsFrom (moo/<recipe>.h: defaults and ranges live there, once).
//
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Recipe> r, MakeRecipe(config, *net));
//   // net built with spec.bn_variants = BnVariantsFor(config)
#ifndef STRATA_MOO_TRAIN_RECIPES_H_
#define STRATA_MOO_TRAIN_RECIPES_H_

#include <memory>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

// The recipe's option message checked without a network (ValidateExperimentConfig calls
// it); errors name the recipe field and value, e.g. "once_qat.source_bits: 9 must be in
// [2, 8]".
Status ValidateRecipeOptions(const ExperimentConfig& config);

// The recipe for `net` (a quantizing recipe creates its per-layer state from
// net.layers()); errors as ValidateRecipeOptions and those that need the network (a plan
// naming a layer the network does not have). No recipe named: FP.
StatusOr<std::unique_ptr<Recipe>> MakeRecipe(const ExperimentConfig& config,
                                             const models::Network& net);

// The number of BN variants config's recipe needs (e.g. one per bit-width); 1 for a config
// whose recipe options do not validate (MakeRecipe then reports them).
int BnVariantsFor(const ExperimentConfig& config);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_RECIPES_H_
