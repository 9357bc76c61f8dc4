// The run catalogue: the run configs tables share, in one place, so that two tables that
// plan "LSQ 2/2 on the quarter-width ResNet-18" plan one config by construction (and the
// result cache trains it once), and a change to a shared recipe changes every table alike.
// Configs are before the preset (preset.h scales data, epochs, width and seed).
//
//   PlannedRun r{"lsq_w2", catalog::Lsq("resnet18_cifar", catalog::kFamilyWidth, 2)};
#ifndef STRATA_REPORTS_CATALOG_H_
#define STRATA_REPORTS_CATALOG_H_

#include <cstdint>
#include <functional>
#include <string>

#include "quant/quant.h"
#include "reports/train_names.h"

namespace strata {
namespace reports {

// A planned run of a table: an id unique within the table (row labels, Bazel target names:
// [a-z0-9_]) and its config before the preset.
struct PlannedRun {
  std::string id;
  ExperimentConfig config;
  // Optional: adjusts the config after the preset was applied for `preset_seed` (e.g. an
  // ensemble member's own seed, INQ's epochs per partition step). Pure.
  std::function<void(uint64_t preset_seed, ExperimentConfig* config)> after_preset;
};

namespace catalog {

// Widths before the preset's multiplier. The ImageNet-sized families (ResNet-18/34/50,
// MobileNetV2, VGG-16-BN) run at a quarter of the preset's width so that each costs about
// as much as ResNet-20; vl_table5's ResNet-50 at an eighth (its five schemes); seed 004's
// VGGs at an eighth (27 distinct runs at quick).
constexpr double kFamilyWidth = 0.25;
// The vertical-layering tables' ResNet-18 and ResNet-50 (CIFAR stems).
constexpr char kResNet18[] = "resnet18_cifar";
constexpr char kResNet50[] = "resnet50_cifar";
constexpr double kResNet50SchemesWidth = 0.125;
constexpr double kEdgeWidth = 0.125;

// The vertical-layering paper's widths W/A 2/2, 3/3, 4/4 (quant::kPaperBasicBits ..
// kPaperSourceBits), in the order its tables print them.
constexpr int kPaperWidths[] = {quant::kPaperBasicBits, quant::kPaperBasicBits + 1,
                                quant::kPaperSourceBits};
static_assert(quant::kPaperBasicBits + 2 == quant::kPaperSourceBits, "three widths");

// FP training of `model` at `width` on Fashion-MNIST with the house recipe (SGD 0.1,
// Nesterov momentum 0.9, weight decay 5e-4 off BN/bias, cosine with a 1-epoch warm-up,
// CIFAR-style augmentation, batch 128, 15 epochs, seed 1).
ExperimentConfig Fp(const std::string& model, double width);

// QAT from the FP run of the same model and width (its `pretrained`): seed 001 Sec. 6
// scales the FP learning rate by 0.1 for quantized networks and keeps the weight decay;
// cosine without warm-up.
ExperimentConfig Lsq(const std::string& model, double width, int bits);  // W/A bits/bits
ExperimentConfig Ascending(const std::string& model, double width);      // 2..4 bits
ExperimentConfig Cotrain(const std::string& model, double width);        // 2..4 bits
ExperimentConfig QatFinetune(const std::string& model, double width);    // b0 = 2, N = 4
ExperimentConfig Adabits(const std::string& model, double width);        // 2..4 bits

// once-QAT (2..4 bits) variants by tag: "us" (the paper's default: US, compensation, no
// self-KD), "nocomp" (z_b = 0), "kd_cos", "kd_cos_nocomp", "kd_kl", "mgd", "bn_shared",
// "bn_shared_affine", "perbit_ends". CHECKs the tag.
OnceQatRecipeConfig OnceQatVariant(const std::string& tag);
ExperimentConfig OnceQat(const std::string& model, double width, const std::string& tag);

// Seed 004's runs (ALGORITHMS.md §4) at kEdgeWidth. Member m of an ensemble is planned with
// seed m (1: the plain run); EdgeRun's after_preset turns it into the preset's seed
// s + 1000 (m - 1) and gives an INQ run round(epochs / 4) epochs per partition step.
ExperimentConfig EdgeFp(const std::string& model, uint64_t member = 1);
// INQ at `bits` from EdgeFp of the same member: LR 0.01, cosine restarted per step.
ExperimentConfig EdgeInq(const std::string& model, int bits, uint64_t member = 1);
// strata's control: EdgeFp trained on at INQ's LR for as many epochs as INQ retrains.
ExperimentConfig EdgeFloatContinued(const std::string& model);
PlannedRun EdgeRun(std::string id, ExperimentConfig config);

}  // namespace catalog
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_CATALOG_H_
