// models::Build: spec validation and the name -> family table.
#include <cmath>
#include <functional>
#include <sstream>

#include "models/families.h"
#include "models/models.h"

namespace strata {
namespace models {
namespace {

using Factory = std::function<std::unique_ptr<Network>(const ModelSpec&)>;

struct Entry {
  const char* name;
  Factory build;
};

const std::vector<Entry>& Registry() {
  static const std::vector<Entry>* const kEntries = new std::vector<Entry>{
      {"resnet20", [](const ModelSpec& s) { return BuildResNetCifar(s, 20); }},
      {"resnet32", [](const ModelSpec& s) { return BuildResNetCifar(s, 32); }},
      {"resnet56", [](const ModelSpec& s) { return BuildResNetCifar(s, 56); }},
      {"resnet18", [](const ModelSpec& s) { return BuildResNetImageNet(s, 18, true); }},
      {"resnet34", [](const ModelSpec& s) { return BuildResNetImageNet(s, 34, true); }},
      {"resnet50", [](const ModelSpec& s) { return BuildResNetImageNet(s, 50, true); }},
      {"resnet18_cifar", [](const ModelSpec& s) { return BuildResNetImageNet(s, 18, false); }},
      {"resnet34_cifar", [](const ModelSpec& s) { return BuildResNetImageNet(s, 34, false); }},
      {"resnet50_cifar", [](const ModelSpec& s) { return BuildResNetImageNet(s, 50, false); }},
      {"mobilenetv2", [](const ModelSpec& s) { return BuildMobileNetV2(s, false); }},
      {"mobilenetv2_cifar", [](const ModelSpec& s) { return BuildMobileNetV2(s, true); }},
      {"vgg16_bn", [](const ModelSpec& s) { return BuildVgg16Bn(s, 13); }},
      {"vgg16_bn_small5", [](const ModelSpec& s) { return BuildVgg16Bn(s, 5); }},
      {"vgg16_bn_small8", [](const ModelSpec& s) { return BuildVgg16Bn(s, 8); }},
  };
  return *kEntries;
}

Status CheckRange(const char* field, double value, double lo, double hi, bool lo_open) {
  const bool ok = std::isfinite(value) && (lo_open ? value > lo : value >= lo) && value <= hi;
  if (ok) return Status::Ok();
  std::ostringstream o;
  o << "model." << field << ": " << value << " must be in " << (lo_open ? "(" : "[") << lo << ", "
    << hi << "]";
  return InvalidArgumentError(o.str());
}

Status Validate(const ModelSpec& spec) {
  STRATA_RETURN_IF_ERROR(CheckRange("width", spec.width, 0, 8, /*lo_open=*/true));
  STRATA_RETURN_IF_ERROR(CheckRange("in_channels", spec.in_channels, 1, 64, false));
  STRATA_RETURN_IF_ERROR(CheckRange("num_classes", spec.num_classes, 1, 100000, false));
  STRATA_RETURN_IF_ERROR(CheckRange("input_size", spec.input_size, 1, 4096, false));
  return CheckRange("bn_variants", spec.bn_variants, 1, 16, false);
}

}  // namespace

const std::vector<std::string>& ModelNames() {
  static const std::vector<std::string>* const kNames = [] {
    auto* names = new std::vector<std::string>;
    for (const Entry& e : Registry()) names->push_back(e.name);
    return names;
  }();
  return *kNames;
}

StatusOr<std::unique_ptr<Network>> Build(const ModelSpec& spec) {
  const Entry* entry = nullptr;
  for (const Entry& e : Registry()) {
    if (spec.name == e.name) entry = &e;
  }
  if (entry == nullptr) {
    std::string known;
    for (const std::string& n : ModelNames()) known += (known.empty() ? "" : ", ") + n;
    return InvalidArgumentError("model.name: unknown model '" + spec.name + "' (known: " + known +
                                ")");
  }
  STRATA_RETURN_IF_ERROR(Validate(spec));
  std::unique_ptr<Network> net = entry->build(spec);
  if (!net->build_error().empty()) {
    return InvalidArgumentError("model '" + spec.name + "' at input_size " +
                                std::to_string(spec.input_size) + ": " + net->build_error());
  }
  return net;
}

}  // namespace models
}  // namespace strata
