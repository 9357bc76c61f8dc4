// A trained once-QAT run to the vertical-layered model file and back (DESIGN.md, "The
// vertical-layered model file"; quant/vlmodel_file.h; Wu et al., TPAMI 2023, Sec. 3.2):
// the file holds everything a device needs to run any width b0..N, and a network built from
// the file alone computes, at width b, the same logits bit for bit as the trained run at b.
//
//   STRATA_ASSIGN_OR_RETURN(OnceQatRun run, LoadOnceQatRun("/cache/ab/abcd..."));
//   STRATA_ASSIGN_OR_RETURN(quant::VlModel m, ExportVlModel(run));
//   STRATA_RETURN_IF_ERROR(quant::WriteVlModel("model.vlm", m));
//   quant::VlReadOptions o;
//   o.max_bits = 3;
//   STRATA_ASSIGN_OR_RETURN(quant::VlModel m3, quant::ReadVlModel("model.vlm", o));
//   STRATA_ASSIGN_OR_RETURN(VlNetwork net3, BuildFromVlModel(m3));       // the 3-bit model
//   STRATA_ASSIGN_OR_RETURN(EvalRecord e, EvaluateTestSet(net3.config, *net3.net, net3.Context()));
//   // evaluate.h
//
// What the file holds (names):
//   layers       every quantized conv/linear ("<layer>.weight"): s_w and the N-bit codes
//                VerticalCodes(w, s_w, N, N) — sections carry the basic codes and planes
//   fp_tensors   every other network parameter (the FP first conv and last linear, biases)
//                and "strata.experiment_config": the run's ExperimentConfig (model fields
//                resolved), one byte per float, so the file alone can rebuild the network
//                and find its test set (Decision: the file format has no metadata field)
//   per_bits[b]  width b's BN (parameters and running statistics, named as BN variant 0)
//                and per quantized layer "<layer>.act_step" (1) and "<layer>.act_signed" (1)
//
// Errors are Status naming the file or tensor (a run that is not once-QAT, missing files,
// a model file whose tensors do not fit the network).
#ifndef STRATA_MOO_TRAIN_MODEL_FILE_H_
#define STRATA_MOO_TRAIN_MODEL_FILE_H_

#include <memory>
#include <string>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"
#include "moo/train/experiment.pb.h"
#include "moo/train/load_run.h"
#include "quant/quant.h"

namespace strata {
namespace moo {

// A finished once-QAT run rebuilt from its directory (LoadRun), its activation steps
// checked to be set for every width.
struct OnceQatRun {
  ExperimentConfig config;  // model.in_channels / num_classes resolved
  std::unique_ptr<models::Network> net;
  std::unique_ptr<Recipe> recipe_owner;
  OnceQatRecipe* recipe = nullptr;
};
StatusOr<OnceQatRun> LoadOnceQatRun(const std::string& run_dir);

StatusOr<quant::VlModel> ExportVlModel(const OnceQatRun& run);

// The network of a model file at its width m.bits: built from the embedded config with one
// BN variant, quantized layers holding ŵ_b = DequantizeLayer (Eqs. 3, 6), activations
// quantized with the file's steps by `hooks`.
struct VlNetwork {
  ExperimentConfig config;
  int bits = 0;
  std::unique_ptr<models::Network> net;
  std::unique_ptr<models::QuantHooks> hooks;
  models::ForwardContext Context() const;  // inference at `bits`
};
StatusOr<VlNetwork> BuildFromVlModel(const quant::VlModel& m);

// A model file evaluated from the file alone (//reports:vlmodel --eval): read up to
// options.max_bits (0: every section), build, run the test set. A file cut inside a section
// is a DataLoss Status naming the section unless options.allow_truncated_prefix (the
// user's explicit --allow_truncated), when its complete sections load and
// model.read_info says what was dropped.
struct VlFileEval {
  quant::VlModel model;  // as read (bits, read_info); codes and tensors included
  EvalRecord eval;
};
StatusOr<VlFileEval> EvaluateVlModelFile(const std::string& path,
                                         const quant::VlReadOptions& options);

// Bits of the quantized weights of the b-bit model: sum over quantized layers of numel * b
// (the weight-size column of the paper's Table 5), and of the FP tensors (32 each).
int64_t QuantizedWeightBits(const quant::VlModel& m, int bits);
int64_t FpTensorBits(const quant::VlModel& m);  // the embedded config excluded

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_MODEL_FILE_H_
