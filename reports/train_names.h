// The training library's names as reports/ uses them, unqualified (moo/train/train.h).
#ifndef STRATA_REPORTS_TRAIN_NAMES_H_
#define STRATA_REPORTS_TRAIN_NAMES_H_

#include "moo/train/train.h"

namespace strata {
namespace reports {

using moo::DeterministicBinary;
using moo::DeterministicJson;
using moo::EpochRecord;
using moo::EvalRecord;
using moo::ExperimentConfig;
using moo::ExportVlModel;
using moo::kWeightsFile;
using moo::LoadOnceQatRun;
using moo::NamedValue;
using moo::OnceQatRecipeConfig;
using moo::OnceQatRun;
using moo::OptimizerConfig;
using moo::ParseTextProto;
using moo::PrecisionPlanConfig;
using moo::QuantizedWeightBits;
using moo::RunResult;
using moo::ScheduleConfig;

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TRAIN_NAMES_H_
