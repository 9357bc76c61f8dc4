// INQ recipe (inq_recipe.h): quant::InqLayer per conv/linear weight, driven stage by stage.
#include "moo/inq_recipe.h"

#include <cmath>

namespace strata {
namespace moo {

StatusOr<InqOptions> InqOptionsFrom(const InqRecipeConfig& c) {
  InqOptions o;
  o.bits = c.bits();
  o.schedule.assign(c.schedule().begin(), c.schedule().end());
  STRATA_RETURN_IF_ERROR(CheckInRange("inq.bits", o.bits, 2, 9));  // quant::ValidateInqBits
  if (!o.schedule.empty()) {
    const Status s = quant::ValidateInqSchedule(o.schedule);
    if (!s.ok()) return InvalidArgumentError("inq.schedule: " + s.message());
  }
  return o;
}

StatusOr<std::unique_ptr<InqRecipe>> InqRecipe::Create(const models::Network& net,
                                                       const InqOptions& options) {
  STRATA_RETURN_IF_ERROR(quant::ValidateInqBits(options.bits));
  InqOptions o = options;
  if (o.schedule.empty()) o.schedule = quant::DefaultInqSchedule();
  STRATA_RETURN_IF_ERROR(quant::ValidateInqSchedule(o.schedule));
  return std::unique_ptr<InqRecipe>(new InqRecipe(net, o));
}

InqRecipe::InqRecipe(const models::Network& net, const InqOptions& options)
    : bits_(options.bits), schedule_(options.schedule) {
  layers_.reserve(net.layers().size());
  for (const models::Layer* l : net.layers()) {
    layers_.emplace_back(l->info().name + ".weight", l->weight().shape());
  }
  for (const quant::InqLayer& l : layers_) l.Register(&state_);
}

Status InqRecipe::BeginStage(int stage, bool resumed, const models::Network& net) {
  CHECK(stage >= 0 && stage < Stages()) << "InqRecipe::BeginStage: stage " << stage << " of "
                                        << Stages();
  for (size_t i = 0; i < layers_.size(); ++i) {
    quant::InqLayer& layer = layers_[i];
    Status s = Status::Ok();
    if (resumed) {
      s = layer.CheckState();
    } else {
      const Tensor& w = net.layers()[i]->weight();
      if (stage == 0 && !layer.has_codebook()) {
        // INQ Eq. (2): n1 from the pretrained weights, fixed for all stages.
        StatusOr<quant::InqCodebook> cb = quant::InqCodebookForWeights(w, bits_);
        if (!cb.ok()) return cb.status().Annotate("inq: layer " + layer.name() + ": ");
        layer.SetCodebook(*cb);
      }
      // INQ Eq. (5)-(8): quantize and freeze the largest |w| up to σ_stage.
      s = layer.Freeze(w, schedule_[stage]);
    }
    if (!s.ok()) return s.Annotate("inq: stage " + std::to_string(stage) + ": ");
  }
  return Status::Ok();
}

StepMetrics InqRecipe::Step(const StepInput& in) {
  FpRecipe fp;
  const StepMetrics m = fp.Step(in);
  if (!std::isfinite(m.loss)) return m;
  // INQ Eq. (7): frozen weights take no gradient (ApplyFrozen undoes the rest of the update).
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i].MaskGradient(in.net->layers()[i]->weight().grad());
  }
  return m;
}

void InqRecipe::AfterStep(const models::Network& net) {
  for (size_t i = 0; i < layers_.size(); ++i) layers_[i].ApplyFrozen(net.layers()[i]->weight());
}

double InqRecipe::FrozenFraction() const {
  int64_t frozen = 0, all = 0;
  for (const quant::InqLayer& l : layers_) {
    frozen += l.frozen_count();
    all += l.mask().numel();
  }
  return all == 0 ? 0.0 : static_cast<double>(frozen) / static_cast<double>(all);
}

std::vector<std::pair<std::string, double>> InqRecipe::TakeEpochMetrics() {
  return {{"inq_frozen_fraction", FrozenFraction()}};
}

quant::InqStorage InqRecipe::Storage() const {
  quant::InqStorage s;
  for (const quant::InqLayer& l : layers_) s.AddQuantized(l.mask().numel(), bits_);
  return s;
}

}  // namespace moo
}  // namespace strata
