// Presets (preset.h).
#include "reports/preset.h"

#include <tuple>

#include "moo/train/proto_json.h"
#include "reports/runfiles.h"

namespace strata {
namespace reports {
namespace {

Status SetUserData(const UserData& data, ExperimentConfig* c) {
  using datasets::DatasetConfig;
  DatasetConfig::Kind kind;
  std::string train_dir = data.dir, test_dir = data.dir;
  if (data.kind == "cifar10") {
    kind = DatasetConfig::CIFAR10;
  } else if (data.kind == "cifar100") {
    kind = DatasetConfig::CIFAR100;
  } else if (data.kind == "imagenet") {
    kind = DatasetConfig::IMAGE_FOLDER;
    train_dir += "/train", test_dir += "/val";
    c->set_augmentation(ExperimentConfig::IMAGENET_STYLE);
  } else {
    return InvalidArgumentError("flag --data_kind: value '" + data.kind +
                                "' is not one of cifar10, cifar100, imagenet");
  }
  for (auto [d, dir, split] : {std::tuple(c->mutable_train_data(), train_dir, DatasetConfig::TRAIN),
                               std::tuple(c->mutable_test_data(), test_dir, DatasetConfig::TEST)}) {
    d->Clear();
    d->set_kind(kind);
    d->set_path(dir);
    d->set_split(split);
  }
  c->mutable_model()->set_in_channels(0);
  c->mutable_model()->set_num_classes(0);
  return Status::Ok();
}

Status Apply(const Preset& preset, const std::string& table, const UserData& data,
             uint64_t seed, ExperimentConfig* c) {
  c->MergeFrom(preset.overlay());
  auto it = preset.table_overlay().find(table);
  if (it != preset.table_overlay().end()) c->MergeFrom(it->second);
  const double width = c->model().width() == 0 ? 1.0 : c->model().width();
  const double multiplier = preset.width_multiplier() == 0 ? 1.0 : preset.width_multiplier();
  c->mutable_model()->set_width(width * multiplier);
  c->set_seed(seed);
  if (preset.user_data()) {
    if (data.dir.empty()) {
      return InvalidArgumentError("preset '" + preset.name() +
                                  "' trains on your data: give --data=<dir> and "
                                  "--data_kind=cifar10|cifar100|imagenet");
    }
    STRATA_RETURN_IF_ERROR(SetUserData(data, c));
  }
  if (c->has_pretrained()) {
    STRATA_RETURN_IF_ERROR(Apply(preset, table, data, seed, c->mutable_pretrained()));
  }
  return Status::Ok();
}

// The table knobs (sweeps, strata_speed's timing): "<field>: <value> must be in [lo, hi]".
Status ValidateKnobs(const Preset& p) {
  for (double b : p.sweeps().mixed_average_bits()) {
    STRATA_RETURN_IF_ERROR(moo::CheckInRange("sweeps.mixed_average_bits", b, 1, 16));
  }
  for (int b : p.sweeps().inq_bits()) {
    STRATA_RETURN_IF_ERROR(moo::CheckInRange("sweeps.inq_bits", b, 2, 9));
  }
  STRATA_RETURN_IF_ERROR(
      moo::CheckInRange("sweeps.ensemble_members", p.sweeps().ensemble_members(), 0, 7));
  const Preset::Speed& s = p.speed();
  STRATA_RETURN_IF_ERROR(moo::CheckInRange("speed.gemm_n", s.gemm_n(), 16, 16384));
  STRATA_RETURN_IF_ERROR(moo::CheckInRange("speed.gemm_reps", s.gemm_reps(), 1, 1000));
  STRATA_RETURN_IF_ERROR(moo::CheckInRange("speed.warmup", s.warmup(), 0, 1000));
  STRATA_RETURN_IF_ERROR(moo::CheckInRange("speed.reps", s.reps(), 1, 1000));
  return moo::CheckInRange("speed.batch", s.batch(), 0, 65536);
}

}  // namespace

const std::vector<std::string>& PresetNames() {
  static const std::vector<std::string> names = {"smoke", "quick", "full", "paper"};
  return names;
}

StatusOr<Preset> ParsePreset(const std::string& text, const std::string& source) {
  Preset p;
  std::string error;
  if (!ParseTextProto(text, source, &p, &error)) return InvalidArgumentError(error);
  if (p.name().empty()) return InvalidArgumentError(source + ": field name: missing");
  if (p.width_multiplier() < 0 || p.width_multiplier() > 8) {
    return InvalidArgumentError(source + ": field width_multiplier: " +
                                std::to_string(p.width_multiplier()) + " must be in (0, 8]");
  }
  const Status valid = ValidateKnobs(p);
  if (!valid.ok()) return InvalidArgumentError(source + ": field " + valid.message());
  return p;
}

StatusOr<Preset> LoadPreset(const std::string& name) {
  bool known = false;
  std::string list;
  for (const std::string& n : PresetNames()) {
    known |= n == name;
    list += (list.empty() ? "" : ", ") + n;
  }
  if (!known) {
    return InvalidArgumentError("flag --preset: value '" + name + "' is not one of " + list);
  }
  const std::string path = RunfilePath("reports/presets/" + name + ".pbtxt");
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  STRATA_ASSIGN_OR_RETURN(Preset p, ParsePreset(text, path));
  if (p.name() != name) {
    return InvalidArgumentError(path + ": field name: '" + p.name() + "', expected '" + name + "'");
  }
  return p;
}

std::vector<uint64_t> PresetSeeds(const Preset& preset, const ExperimentConfig& planned) {
  if (preset.seeds().empty()) return {planned.seed()};
  return {preset.seeds().begin(), preset.seeds().end()};
}

StatusOr<ExperimentConfig> ApplyPreset(const Preset& preset, const std::string& table,
                                       const UserData& data, const ExperimentConfig& planned,
                                       uint64_t seed) {
  ExperimentConfig c = planned;
  STRATA_RETURN_IF_ERROR(Apply(preset, table, data, seed, &c));
  return c;
}

}  // namespace reports
}  // namespace strata
