// strata_speed (TABLES.md, "Beyond the papers"): the engine's training and inference
// throughput on every model family the papers use, at CIFAR-sized inputs (3x32x32, 10
// classes, width 1), against
//   * the machine's sgemm peak, measured in the same run through the engine's GEMM
//     (Linear on n x n times n x n; best of a few repetitions), and
//   * PyTorch on the same machine in the same run: benchmarks/pytorch_compare.py (from the
//     runfiles) under /usr/bin/python3, one subprocess per row, right after the engine's
//     measurement of that row, with the same thread count and network shapes (both
//     parameter counts are in the row; a mismatch is an error in the row, never a
//     comparison). No python3 or no torch: pytorch_img_s is null and the note says why.
//
// Train step = zero grads + forward + cross-entropy + backward + SGD (momentum 0.9, weight
// decay 5e-4); infer = eval-mode forward under no-grad. Each row is the median over timed
// steps after warm-up steps; the preset sets the batch sizes, the repetitions and the GEMM
// size (smoke: ResNet-20 at batch 16, a few seconds, PyTorch only with an explicit --python;
// quick: every model, about 3 minutes on 2 quiet cores; full and paper: batch 128
// everywhere, more repetitions).
//
// Table flags: --python=<interpreter> (default /usr/bin/python3; "none" skips PyTorch) and
// --models=<row>,<row>,... (a subset of the rows, e.g. --models=resnet20_cifar).
#ifndef STRATA_REPORTS_SPEED_TABLE_H_
#define STRATA_REPORTS_SPEED_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "reports/table.h"

namespace strata {
namespace reports {

StatusOr<TableReport> StrataSpeed(const TableContext& ctx);

// One run of `pytorch_compare.py --json --mode <m>`, parsed (exposed for tests).
struct PytorchRun {
  std::string error;              // empty: the run succeeded
  std::optional<int64_t> params;  // PyTorch's parameter count, when the script got that far
  std::string torch_version;
  double img_s = 0, img_s_min = 0, img_s_max = 0;  // median, min, max over the reps
  double cpu_ms = 0;                               // median process CPU time per step
};

// `output` is the script's stdout and stderr, `exit_status` its exit status. The result is
// the last output line that starts with '{'; a missing or malformed line, a JSON "error",
// or a non-zero status without one gives `error` naming what failed (with the output's
// tail).
PytorchRun ParsePytorchOutput(const std::string& output, int exit_status);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_SPEED_TABLE_H_
