// Presets as data (preset.proto, reports/presets/<name>.pbtxt) and how they turn a table's
// planned runs into the configs that run.
//
//   STRATA_ASSIGN_OR_RETURN(Preset preset, LoadPreset("quick"));
//   for (uint64_t seed : PresetSeeds(preset, planned)) {
//     STRATA_ASSIGN_OR_RETURN(ExperimentConfig c,
//                             ApplyPreset(preset, "vl_table1", UserData(), planned, seed));
//     ... runner.Get(c) ...
//   }
//
// ApplyPreset applies the same preset to a run's pretrained run (recursively), so a QAT
// run and the FP model it starts from are at the same scale and seed.
#ifndef STRATA_REPORTS_PRESET_H_
#define STRATA_REPORTS_PRESET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "reports/train_names.h"
#include "reports/preset.pb.h"

namespace strata {
namespace reports {

// The presets in reports/presets/, in order of scale.
const std::vector<std::string>& PresetNames();

// Reads reports/presets/<name>.pbtxt (from the runfiles or the workspace); an unknown name
// lists the known ones.
StatusOr<Preset> LoadPreset(const std::string& name);
StatusOr<Preset> ParsePreset(const std::string& text, const std::string& source);

// The user's dataset for the `paper` preset (--data, --data_kind).
struct UserData {
  std::string dir;   // CIFAR: the binary files' directory; ImageNet: with train/ and val/
  std::string kind;  // "cifar10" | "cifar100" | "imagenet"
};

// The seeds a planned run is repeated with.
std::vector<uint64_t> PresetSeeds(const Preset& preset, const ExperimentConfig& planned);

// `planned` at the preset's scale with `seed`. Errors: the paper preset without user
// data, an unknown data kind.
StatusOr<ExperimentConfig> ApplyPreset(const Preset& preset, const std::string& table,
                                       const UserData& data, const ExperimentConfig& planned,
                                       uint64_t seed);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_PRESET_H_
