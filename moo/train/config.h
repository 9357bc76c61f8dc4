// An ExperimentConfig from a person's text file: parsed with located errors, then every
// field's range validated (errors name the field and value), before any data is opened.
//
//   STRATA_ASSIGN_OR_RETURN(ExperimentConfig c, LoadExperimentConfig("run.pbtxt"));
//
// A config naming no recipe gets `fp {}`. The recipe's own fields are checked by its
// OptionsFrom (moo/<recipe>.h), the one place their defaults and ranges live.
#ifndef STRATA_MOO_TRAIN_CONFIG_H_
#define STRATA_MOO_TRAIN_CONFIG_H_

#include <string>

#include "engine/engine.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

// "source:line:column: ..." for text that does not parse; "source: field: value ..." for a
// value out of range.
StatusOr<ExperimentConfig> ParseExperimentConfig(const std::string& text,
                                                 const std::string& source);
StatusOr<ExperimentConfig> LoadExperimentConfig(const std::string& path);
// Every field of `config`, the recipe's through its OptionsFrom; nothing is opened.
Status ValidateExperimentConfig(const ExperimentConfig& config);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_CONFIG_H_
