// What the training library's tests (and reports' tests) share: a per-test temporary
// directory and tiny synthetic configs.
//
//   const ExperimentConfig c = ParseOrFail(
//       "model { name: \"resnet20\" width: 0.25 } " + SyntheticData(128, 64) +
//       " batch_size: 32 epochs: 1 optimizer { lr: 0.05 } seed: 7");
//   RunExperiment(c, {.out_dir = TestTmpDir("run")}) ...
#ifndef STRATA_MOO_TRAIN_TEST_UTIL_H_
#define STRATA_MOO_TRAIN_TEST_UTIL_H_

#include <string>

#include "moo/train/train.h"

namespace strata {
namespace moo {

// $TEST_TMPDIR/<name> (/tmp/<name> outside Bazel).
std::string TestTmpDir(const std::string& name);

// The train_data and test_data fields (text format) of synthetic 1x28x28 images of 4
// classes: `train` and `test` examples, generated from the seeds given.
std::string SyntheticData(int train, int test, int train_seed = 3, int test_seed = 3);

// Parses a text-format ExperimentConfig; a parse or validation error fails the current
// test and gives an empty config.
ExperimentConfig ParseOrFail(const std::string& text);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_TEST_UTIL_H_
