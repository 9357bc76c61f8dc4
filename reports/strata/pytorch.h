// PyTorch beside the engine (strata_speed): benchmarks/pytorch_compare.py (from the
// runfiles) under /usr/bin/python3, one subprocess per row, with the same thread count and
// network shapes. No python3 or no torch: a reason instead of a number, never a failure.
#ifndef STRATA_REPORTS_STRATA_PYTORCH_H_
#define STRATA_REPORTS_STRATA_PYTORCH_H_

#include <cstdint>
#include <optional>
#include <string>

#include "reports/table.h"

namespace strata {
namespace reports {
namespace strata_tables {

// The script, as the runfiles (and every note) name it.
inline constexpr char kPytorchScript[] = "benchmarks/pytorch_compare.py";

// One run of `pytorch_compare.py --json --mode <m>`, parsed.
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

// Where PyTorch runs from: --python=<interpreter> (default /usr/bin/python3; "none" skips
// it; a preset with speed.pytorch_on_request runs it only when --python is given).
struct Pytorch {
  std::string python, script;
  std::string unavailable;  // why PyTorch is not run at all (empty: it is)
  std::string version;      // torch.__version__ once a run succeeded
};
Pytorch FindPytorch(const TableContext& ctx);

// One row's shape and repetitions as the engine measured it.
struct PytorchShape {
  std::string model, mode;
  int batch = 0, warmup = 0, reps = 0, input_size = 0;
  int64_t params = 0;  // strata's count: the script refuses another
};
// A missing interpreter, torch or shell marks *py unavailable for the later rows.
PytorchRun RunPytorch(Pytorch* py, const PytorchShape& shape);

}  // namespace strata_tables
}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_STRATA_PYTORCH_H_
