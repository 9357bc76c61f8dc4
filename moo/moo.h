// strata moo: the one public header of //moo — the training methods.
//
// A method is a Recipe (recipe.h): what one training step of it computes (forward,
// loss(es), backward into the parameters' .grad), which evaluation points it has (e.g. one
// per bit-width), its stages, its own learnable tensors and state. The generic loop that
// drives a recipe over data, epochs, checkpoints and results is //moo/train.
//
//   recipe.h         Recipe, FpRecipe, LabelRank / CountTop1, CheckInRange
//   lsq.h            LSQ QAT at one precision plan (Esser et al. 2020; seed 001 Eq. 1)
//   baselines.h      ascending-layer training and multi-layer co-training (seed 001 Sec. 3.3)
//   once_qat.h       once-QAT: every width of one vertical-layered model at once (Sec. 4)
//   qat_baselines.h  QAT + fine-tune and AdaBits-style (seed 001 Table 5), weight storage
//   inq_recipe.h     incremental network quantization (INQ; seed 004)
//   quant_state.h    what quantizing recipes share: precision plans, step banks,
//                    activation steps, BN per bit-width, slotted hooks
//   combine.h        per-width loss/gradient combination: US, MGD (Eq. 10)
//   kd.h             self-KD losses (cosine, KL; Eq. 11)
//   ensemble.h       the mean of members' softmax outputs
//   error_probe.h    the quantization error of layers' inputs as a network runs
//
// Each recipe's options come from its config message, beside it (<recipe>.proto), through
// its OptionsFrom: the one place their defaults (quant::kPaperBasicBits / kPaperSourceBits
// for a width left 0) and ranges live.
//
// Worked example: once-QAT on a network built with one BN per width, one step by hand (the
// loop, moo/train/trainer.h, does this per batch and adds SGD, evaluation and checkpoints).
//
//   OnceQatRecipeConfig config;                       // b0 = 2, N = 4, US, compensation
//   config.set_self_kd(OnceQatRecipeConfig::COSINE);
//   STRATA_ASSIGN_OR_RETURN(moo::OnceQatOptions o, moo::OnceQatOptionsFrom(config));
//   models::ModelSpec spec;  spec.name = "resnet20";  spec.bn_variants = o.bn_variants();
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<models::Network> net, models::Build(spec));
//   STRATA_ASSIGN_OR_RETURN(auto recipe, moo::OnceQatRecipe::Create(o, *net));
//   STRATA_RETURN_IF_ERROR(recipe->BeginStage(0, /*resumed=*/false, *net));
//   moo::StepInput in{net.get(), images, &labels, models::ForwardContext()};
//   in.ctx.training = true;
//   moo::StepMetrics m = recipe->Step(in);            // losses of 2, 3 and 4 bits, combined
//   for (const moo::EvalPoint& p : recipe->Evals()) { ... p.name == "w2a2" ... }
#ifndef STRATA_MOO_MOO_H_
#define STRATA_MOO_MOO_H_

#include "moo/baselines.h"
#include "moo/combine.h"
#include "moo/ensemble.h"
#include "moo/error_probe.h"
#include "moo/inq_recipe.h"
#include "moo/kd.h"
#include "moo/lsq.h"
#include "moo/once_qat.h"
#include "moo/qat_baselines.h"
#include "moo/quant_state.h"
#include "moo/recipe.h"

#endif  // STRATA_MOO_MOO_H_
