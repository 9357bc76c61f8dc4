// strata moo/train: the one public header of //moo/train — the training library.
//
// One ExperimentConfig (experiment.proto: model, data, optimizer, schedule, epochs, seed and
// one recipe) in, one RunResult out, in-process: a table's child process (//reports:train),
// a Bazel run action, a search that fine-tunes every sample and a selection loop that
// trains ensembles all call the same RunExperiment. Everything a finished run is used for
// lives here too, once:
//
//   config.h         parse and validate a config (errors name the file, field and value)
//   data.h           the data pipeline: sets, normalization, augmentation, loaders
//   model.h          the network a config describes (one ModelSpec from a config)
//   recipes.h        the recipe a config names (MakeRecipe, BnVariantsFor)
//   trainer.h        the epoch loop: checkpoints, resume, progress, NaN -> `diverged`;
//                    TrainStep, the one training step
//   evaluate.h       test-set evaluation (top-1, top-5, loss)
//   load_run.h       a finished run's weights back as network + recipe
//   model_file.h     a once-QAT run to the vertical-layered model file and back
//   mixed.h          mixed precision from one once-QAT model (Eq. 12)
//   ensemble_eval.h  ensembles of finished runs (mean of softmax)
//   throughput.h     training/inference images per second of a network under a recipe
//   progress.h       the loop's progress line
//   proto_json.h     deterministic protobuf bytes and JSON; text-format parsing
//
// Worked example: train, reload, evaluate: e equals the run's 2-bit accuracy (its first
// evaluation point, result.final_evals(0)).
//
//   STRATA_ASSIGN_OR_RETURN(moo::ExperimentConfig config, moo::ParseExperimentConfig(R"pb(
//       name: "tiny" model { name: "resnet20" width: 0.25 }
//       train_data { kind: FASHION_MNIST split: TRAIN first_k_per_class { k: 50 } }
//       test_data { kind: FASHION_MNIST split: TEST first_k_per_class { k: 20 } }
//       batch_size: 50 epochs: 2 optimizer { lr: 0.05 momentum: 0.9 } seed: 1
//       once_qat {})pb", "inline"));                  // widths 2, 3, 4 in one model
//   moo::TrainOptions options;
//   options.out_dir = "/tmp/tiny";
//   STRATA_ASSIGN_OR_RETURN(moo::RunResult result, moo::RunExperiment(config, options));
//   STRATA_ASSIGN_OR_RETURN(moo::LoadedRun run, moo::LoadRun(options.out_dir));
//   STRATA_ASSIGN_OR_RETURN(moo::EvalRecord e,
//                           moo::EvaluateTestSet(run.config, *run.net, run.EvalContext()));
//
// Determinism: same config and seed => the same bytes (weights, result, JSON) for any
// thread count; a run killed at any point and resumed ends with the same digest.
#ifndef STRATA_MOO_TRAIN_TRAIN_H_
#define STRATA_MOO_TRAIN_TRAIN_H_

#include "moo/train/config.h"
#include "moo/train/data.h"
#include "moo/train/ensemble_eval.h"
#include "moo/train/evaluate.h"
#include "moo/train/experiment.pb.h"
#include "moo/train/load_run.h"
#include "moo/train/mixed.h"
#include "moo/train/model.h"
#include "moo/train/model_file.h"
#include "moo/train/progress.h"
#include "moo/train/proto_json.h"
#include "moo/train/recipes.h"
#include "moo/train/throughput.h"
#include "moo/train/trainer.h"

#endif  // STRATA_MOO_TRAIN_TRAIN_H_
