// Training progress on stdout: on a terminal one line redrawn in place (at most 10 times
// a second); otherwise (a log file, a pipe) a plain line every `log_every_seconds` and
// at every epoch end.
//
//   ProgressPrinter printer(stdout, isatty(fileno(stdout)));
//   options.progress = [&](const ProgressState& p, bool end) { printer.Update(p, end); };
//
//   epoch 3/30  batch 120/469  loss 0.3121  acc 88.91%  1234 img/s  ETA 1h02m
#ifndef STRATA_MOO_TRAIN_PROGRESS_H_
#define STRATA_MOO_TRAIN_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <string>

#include "moo/train/trainer.h"

namespace strata {
namespace moo {

// "1h02m", "4m05s", "12s".
std::string FormatDuration(double seconds);
// One progress line without a newline. Epoch ends read "epoch 3/30 done  loss ...  test
// top-1 91.20%  1234 img/s".
std::string FormatProgress(const ProgressState& p, bool epoch_end);

class ProgressPrinter {
 public:
  ProgressPrinter(FILE* out, bool tty, double log_every_seconds = 30.0);
  void Update(const ProgressState& p, bool epoch_end);

 private:
  FILE* out_;
  bool tty_;
  double log_every_seconds_;
  std::chrono::steady_clock::time_point last_;
  bool printed_ = false;
};

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_PROGRESS_H_
