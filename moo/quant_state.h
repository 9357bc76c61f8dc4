// Per-layer, per-bit-width quantization state that quantizing recipes share (LSQ, the
// vertical-layering baselines, once-QAT, AdaBits-style, AMED fine-tuning):
//
//   PrecisionPlan / ResolvePlan   which layers are quantized at which W/A bits (user input)
//   StepBank                      one learnable scalar step per (quantized layer, slot)
//   ActivationSteps               x̂ = LSQ(x) per (layer, slot), initialised from the first
//                                 batch, sign of the input recorded (resumable)
//   SlottedHooks                  quantization hooks taking a slot; At(slot) = the
//                                 models::QuantHooks for a ForwardContext at that slot
//   BnSlots                       one BN per slot: shared / shared affine + own statistics /
//                                 individual (seed 001 Table 4)
//
// A "slot" is one of the bit-width settings a recipe trains: LSQ has one, once-QAT and the
// baselines one per bit-width (slot s = BN variant BnSlots::variant(s)).
//
//   using namespace strata;
//   PrecisionPlan plan;  plan.w_bits = 2;  plan.a_bits = 2;          // first/last stay FP
//   STRATA_ASSIGN_OR_RETURN(std::vector<moo::LayerBits> layers,
//                           moo::ResolvePlan(plan, *net, "lsq.plan"));
//   moo::StepBank w_steps(layers, {""}, "w_step");                   // "layer1.0.conv1.w_step"
//   moo::ActivationSteps act(layers, {""}, moo::ActInit::kLsq);      // "layer1.0.conv1.a_step"
//   Tensor x_hat = act.Quantize(layer, x, /*slot=*/0);                // in a QuantHooks::Input
//
// Names are unique per (layer, tag, slot name), so several banks live in one ParameterSet.
// Thread safety: plain data; one thread at a time.
#ifndef STRATA_MOO_QUANT_STATE_H_
#define STRATA_MOO_QUANT_STATE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/precision_plan.pb.h"
#include "quant/quant.h"

namespace strata {
namespace moo {

// One quantized layer's bit-widths per slot (0 bits: that side stays FP in that slot).
struct LayerBits {
  int index = 0;  // models::LayerInfo::index
  std::string name;
  std::vector<int> w_bits, a_bits;  // one entry per slot
};

// The precision plan of a single-precision recipe (precision_plan.proto's message).
struct PrecisionPlan {
  int w_bits = 0, a_bits = 0;   // every layer but the first conv and the last linear
  bool eight_bit_ends = false;  // first conv and last linear at 8/8 instead of FP
  struct Entry {
    std::string layer;  // models::LayerInfo::name
    int w_bits = 0, a_bits = 0;  // both 0: FP; both in [1, 16]: quantized
  };
  std::vector<Entry> layers;  // per-layer overrides, applied last
};

// The plan a config message states. InvalidArgument naming `field` (e.g. "lsq.plan"), the
// entry and the value for what ResolvePlan rejects without a network: bits outside
// [1, 16], an entry without a name or quantizing one side only, a layer named twice.
StatusOr<PrecisionPlan> PlanFrom(const PrecisionPlanConfig& config, const std::string& field);

// The quantized layers of `net` under `plan` (one slot), forward order. InvalidArgument
// naming `field`, the entry and the value for: bits outside [1, 16]; an entry naming a layer
// `net` does not have (the message lists the layer names); an entry quantizing only one of
// weight and input (a layer is quantized on both sides or neither); a duplicate entry.
StatusOr<std::vector<LayerBits>> ResolvePlan(const PrecisionPlan& plan,
                                             const models::Network& net,
                                             const std::string& field);

// Every layer but the first and last at W/A = bits[s]/bits[s] in slot s (once-QAT and the
// baselines). CHECKs bits in [1, 16] (validate user input first).
std::vector<LayerBits> UniformSlots(const models::Network& net, const std::vector<int>& bits);

// One learnable 1-element step per (layer, slot), named "<layer>.<tag>" when the slot name
// is empty, else "<layer>.<tag>.<slot name>"; initial value 1 (recipes initialise them).
class StepBank {
 public:
  StepBank() = default;
  StepBank(const std::vector<LayerBits>& layers, const std::vector<std::string>& slot_names,
           const std::string& tag);
  // CHECKs that the layer is in the bank and the slot in range.
  const Tensor& at(int layer_index, int slot) const;
  bool contains(int layer_index) const { return steps_.count(layer_index) > 0; }
  const ParameterSet& Parameters() const { return params_; }

 private:
  std::map<int, std::vector<Tensor>> steps_;
  ParameterSet params_;
};

// Quantization hooks of a multi-slot recipe. ForwardContext carries no slot (ctx.variant
// picks the BN, which slots may share), so each slot gets its own models::QuantHooks view:
//   ctx.hooks = hooks.At(s);  ctx.variant = bn.variant(s);
class SlottedHooks {
 public:
  explicit SlottedHooks(int slots);
  virtual ~SlottedHooks();
  virtual Tensor Weight(const models::Layer& layer, const Tensor& w,
                        const models::ForwardContext& ctx, int slot) = 0;
  virtual Tensor Input(const models::Layer& layer, const Tensor& x,
                       const models::ForwardContext& ctx, int slot) = 0;
  // Valid as long as this object; CHECKs the slot.
  models::QuantHooks* At(int slot) const;
  int slots() const { return static_cast<int>(views_.size()); }

 private:
  class View;
  std::vector<std::unique_ptr<View>> views_;
};

// How an activation step starts, from the first batch that reaches (layer, slot):
//   kLsq: 2 mean|x| / sqrt(Qp)  (Esser et al. Sec. 2.1; ALGORITHMS.md §1)
//   kMax: max|x| / (2^b - 1)    (seed 001 Sec. 6.1, for signed and unsigned inputs alike;
//                                ALGORITHMS.md §2 Decision)
// Decisions, either way: an input holding a NaN gives a NaN step (a diverged input shows up as
// a diverged run); an all-zero input (a dead layer) gives 1 / (2^b - 1), the kMax step of a
// unit range.
enum class ActInit { kLsq, kMax };

// The input quantizers: per (layer, slot) a learnable step (StepBank tag "a_step") and a
// flag saying whether it was initialised and with which range. Used by LSQ, the baselines
// and once-QAT.
class ActivationSteps {
 public:
  ActivationSteps() = default;
  ActivationSteps(const std::vector<LayerBits>& layers, const std::vector<std::string>& slot_names,
                  ActInit init);
  // LSQ fake quantization of layer's input at the slot's a_bits (x unchanged when the
  // layer has no quantizer or 0 bits there). The first call for (layer, slot) sets the step
  // from x (no gradient, ActInit) and picks the range: unsigned if min(x) >= 0 (after
  // ReLU/ReLU6), else signed (Decision: the input's sign on the first batch decides; recorded
  // in State() so a resumed run keeps it).
  Tensor Quantize(const models::Layer& layer, const Tensor& x, int slot);
  // The same with the steps as they are (a trained or loaded model); CHECKs that
  // (layer, slot) was initialised.
  Tensor Apply(const models::Layer& layer, const Tensor& x, int slot) const;
  // Forgets every initialisation: the next Quantize of each (layer, slot) sets it again.
  void Reset();
  // True once every (layer, slot) with bits has seen a batch.
  bool initialised(int slot) const;
  // The step and range of (layer, slot); CHECK that the layer has a quantizer.
  const Tensor& step(int layer_index, int slot) const { return steps_.at(layer_index, slot); }
  bool is_signed(int layer_index, int slot) const;
  // The steps "<layer>.a_step[.<slot name>]", learnable.
  const ParameterSet& Parameters() const { return steps_.Parameters(); }
  // "a_step.flags" (L, S): 0 = not initialised, 1 = unsigned, 2 = signed. No gradient: a
  // recipe whose model is exported (once-QAT) returns it with its Parameters() so that
  // weights.ckpt carries the ranges; the others checkpoint it as State().
  const ParameterSet& State() const { return state_; }

 private:
  float& flag(int row, int slot) const { return flags_.data()[row * flags_.dim(1) + slot]; }

  std::map<int, int> row_;  // layer index -> row of flags_
  std::map<int, std::vector<int>> bits_;
  StepBank steps_;
  ActInit init_ = ActInit::kLsq;
  Tensor flags_;
  ParameterSet state_;
};

// BatchNorm per slot (seed 001 Table 4, ALGORITHMS.md §2):
//   kShared:       one BN for every slot (1 variant)
//   kSharedAffine: statistics per slot, one affine (γ, β) for all: variant s keeps its own
//                  running statistics while its γ, β are tied to variant 0's
//   kIndividual:   statistics and affine per slot (the default)
enum class BnMode { kShared, kSharedAffine, kIndividual };

class BnSlots {
 public:
  BnSlots(BnMode mode, int slots) : mode_(mode), slots_(slots) {}
  int variants() const { return mode_ == BnMode::kShared ? 1 : slots_; }  // ModelSpec::bn_variants
  int variant(int slot) const { return mode_ == BnMode::kShared ? 0 : slot; }
  // kSharedAffine: adds every variant's γ/β gradient into variant 0's and zeroes the rest
  // (call after the backward, before the optimizer step). No-op otherwise.
  void TieGrads(const models::Network& net) const;
  // kSharedAffine: copies variant 0's γ/β into every variant (call at the start and after
  // every optimizer step). No-op otherwise.
  void TieValues(const models::Network& net) const;

 private:
  BnMode mode_;
  int slots_;
};

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_QUANT_STATE_H_
