// The run catalogue (catalog.h).
#include "reports/catalog.h"

#include <cmath>
#include <utility>

namespace strata {
namespace reports {
namespace catalog {
namespace {

constexpr uint64_t kMemberSeedStride = 1000;
constexpr int kInqSteps = 4;  // the default partition {50, 75, 87.5, 100} %

ExperimentConfig QatFromFp(const std::string& model, double width, const std::string& name) {
  ExperimentConfig c = Fp(model, width);
  *c.mutable_pretrained() = Fp(model, width);
  c.set_name(model + "_" + name);
  c.mutable_optimizer()->set_lr(0.1 * c.optimizer().lr());
  c.mutable_schedule()->set_warmup_epochs(0);
  return c;
}

// The edge adjustments after the preset (catalog.h): member seeds, INQ epochs per step,
// the control's epochs (as many as an INQ run's steps together).
void AdjustEdge(uint64_t member, uint64_t seed, ExperimentConfig* c) {
  c->set_seed(seed + kMemberSeedStride * (member - 1));
  const int per_step = std::max(1, static_cast<int>(std::lround(c->epochs() / double(kInqSteps))));
  if (c->has_inq()) {
    CHECK_EQ(c->inq().schedule_size() > 0 ? c->inq().schedule_size() : kInqSteps, kInqSteps)
        << "edge tables plan INQ with the default partition";
    c->set_epochs(per_step);
  } else if (c->has_pretrained()) {
    c->set_epochs(kInqSteps * per_step);  // the control
  }
  if (c->has_pretrained()) AdjustEdge(member, seed, c->mutable_pretrained());
}

}  // namespace

ExperimentConfig Fp(const std::string& model, double width) {
  ExperimentConfig c;
  c.set_name(model);
  c.mutable_model()->set_name(model);
  c.mutable_model()->set_width(width);
  c.mutable_train_data()->set_kind(datasets::DatasetConfig::FASHION_MNIST);
  c.mutable_train_data()->set_split(datasets::DatasetConfig::TRAIN);
  c.mutable_test_data()->set_kind(datasets::DatasetConfig::FASHION_MNIST);
  c.mutable_test_data()->set_split(datasets::DatasetConfig::TEST);
  c.set_augmentation(ExperimentConfig::CIFAR_STYLE);
  c.set_batch_size(128);
  c.set_epochs(15);
  OptimizerConfig* o = c.mutable_optimizer();
  o->set_lr(0.1);
  o->set_momentum(0.9);
  o->set_nesterov(true);
  o->set_weight_decay(5e-4);
  o->set_no_decay_on_bn(true);
  c.mutable_schedule()->set_kind(ScheduleConfig::COSINE);
  c.mutable_schedule()->set_warmup_epochs(1);
  c.set_seed(1);
  c.mutable_fp();
  return c;
}

ExperimentConfig Lsq(const std::string& model, double width, int bits) {
  const std::string b = std::to_string(bits);
  ExperimentConfig c = QatFromFp(model, width, "lsq_w" + b + "a" + b);
  PrecisionPlanConfig* plan = c.mutable_lsq()->mutable_plan();
  plan->set_w_bits(bits);
  plan->set_a_bits(bits);
  return c;
}

ExperimentConfig Ascending(const std::string& model, double width) {
  ExperimentConfig c = QatFromFp(model, width, "ascending");
  c.mutable_ascending()->set_basic_bits(quant::kPaperBasicBits);
  c.mutable_ascending()->set_max_bits(quant::kPaperSourceBits);
  return c;
}

ExperimentConfig Cotrain(const std::string& model, double width) {
  ExperimentConfig c = QatFromFp(model, width, "cotrain");
  c.mutable_cotrain()->set_basic_bits(quant::kPaperBasicBits);
  c.mutable_cotrain()->set_max_bits(quant::kPaperSourceBits);
  return c;
}

ExperimentConfig QatFinetune(const std::string& model, double width) {
  ExperimentConfig c = QatFromFp(model, width, "qat_finetune");
  c.mutable_qat_finetune();  // the paper's widths
  return c;
}

ExperimentConfig Adabits(const std::string& model, double width) {
  ExperimentConfig c = QatFromFp(model, width, "adabits");
  c.mutable_adabits();  // the paper's widths
  return c;
}

OnceQatRecipeConfig OnceQatVariant(const std::string& tag) {
  OnceQatRecipeConfig r;
  if (tag == "kd_cos" || tag == "kd_cos_nocomp") r.set_self_kd(OnceQatRecipeConfig::COSINE);
  if (tag == "nocomp" || tag == "kd_cos_nocomp") r.set_without_compensation(true);
  if (tag == "kd_kl") r.set_self_kd(OnceQatRecipeConfig::KL);
  if (tag == "mgd") r.set_moo(OnceQatRecipeConfig::MGD);
  if (tag == "bn_shared") r.set_bn(OnceQatRecipeConfig::SHARED);
  if (tag == "bn_shared_affine") r.set_bn(OnceQatRecipeConfig::SHARED_AFFINE);
  if (tag == "perbit_ends") r.set_per_bit_first_last(true);
  CHECK(tag == "us" || r.ByteSizeLong() > 0)
      << "catalog::OnceQatVariant: unknown tag '" << tag << "'";
  return r;
}

ExperimentConfig OnceQat(const std::string& model, double width, const std::string& tag) {
  ExperimentConfig c = QatFromFp(model, width, "onceqat_" + tag);
  *c.mutable_once_qat() = OnceQatVariant(tag);
  return c;
}

ExperimentConfig EdgeFp(const std::string& model, uint64_t member) {
  ExperimentConfig c = Fp(model, kEdgeWidth);
  c.set_seed(member);
  return c;
}

ExperimentConfig EdgeInq(const std::string& model, int bits, uint64_t member) {
  ExperimentConfig c = EdgeFp(model, member);
  c.set_name(model + "_inq" + std::to_string(bits));
  c.mutable_optimizer()->set_lr(0.01);
  c.mutable_schedule()->set_warmup_epochs(0);
  c.mutable_inq()->set_bits(bits);
  *c.mutable_pretrained() = EdgeFp(model, member);
  return c;
}

ExperimentConfig EdgeFloatContinued(const std::string& model) {
  ExperimentConfig c = EdgeFp(model);
  c.set_name(model + "_float_continued");
  c.mutable_optimizer()->set_lr(0.01);
  c.mutable_schedule()->set_warmup_epochs(0);
  *c.mutable_pretrained() = EdgeFp(model);
  return c;
}

PlannedRun EdgeRun(std::string id, ExperimentConfig config) {
  const uint64_t member = config.seed();
  PlannedRun run{std::move(id), std::move(config), nullptr};
  run.after_preset = [member](uint64_t seed, ExperimentConfig* c) { AdjustEdge(member, seed, c); };
  return run;
}

}  // namespace catalog
}  // namespace reports
}  // namespace strata
