// The runner and its result cache. A run is a pure function of (config, code version,
// data identity); its result is stored under the SHA-256 of those, so rerunning a table
// reuses finished runs and a changed config or trainer reruns only what changed.
// Prerequisite runs (a config's `pretrained`) are runs too: computed once, shared.
//
//   RunnerOptions o;
//   o.cache_dir = WorkspaceRoot() + "/reports/out/cache";
//   o.train_binary = RunfilePath("reports/train");
//   o.code_version = ...;  // reports/code_version.txt: SHA-256 of the train binary
//   Runner runner(o);
//   STRATA_ASSIGN_OR_RETURN(RunRecord r, runner.Get(config));
//   r.result.final_test_top1(), r.result.param_digest(), r.reused
//
// Each run executes the //reports:train binary as a child process (the same binary the
// Bazel run actions use, reports/runs.bzl), writing into its cache entry:
// <cache>/<key[0:2]>/<key>/{config.pbtxt, train.log, checkpoint.ckpt, progress.pb,
// result.pb, result.json, weights.ckpt, ENTRY}. ENTRY is written last and holds the key
// and the SHA-256 of result.pb and weights.ckpt: an entry is trusted only when all three
// check out. A missing, truncated or corrupt entry is recomputed from scratch (a message
// says so); an interrupted run resumes from its last epoch checkpoint. `fresh`
// recomputes every run and overwrites its entry.
//
// The thread count is not part of the key: results are bit-identical for any thread
// count (DESIGN.md principle 2, tested in engine and trainer tests).
//
// Runs trained elsewhere as Bazel actions (runs.bzl: `bazel build //reports:<table>_results`,
// outputs <bazel-bin>/reports/runs/<RunActionHash>/) are adopted instead of retrained when
// `adopt_dir` names that directory: a run missing from the cache is copied from its action's
// outputs if they check out (same config, code version and data digests, and trained from
// the same pretrained weights as the cache's pretrained entry), else trained as usual (a
// message says why). Adopted entries are ordinary entries afterwards; their result is the
// action's but for Fashion-MNIST's directory, set back to the planned one (an action reads
// the data from its sandbox).
#ifndef STRATA_REPORTS_RUNNER_H_
#define STRATA_REPORTS_RUNNER_H_

#include <cstdio>
#include <map>
#include <string>

#include "engine/engine.h"
#include "reports/train_names.h"

namespace strata {
namespace reports {

struct RunnerOptions {
  std::string cache_dir;
  std::string train_binary;
  std::string code_version;  // part of every key
  int threads = 0;           // --threads of the runs (0: the train binary's default)
  bool fresh = false;        // recompute and overwrite
  std::string adopt_dir;     // finished Bazel run actions (bazel-bin/reports/runs); "" = none
  std::FILE* log = stderr;   // one line per run; null: silent
};

// The cache key: SHA-256 over a version tag, the config (threads cleared), the code
// version, the train and test data digests and the pretrained run's key ("" if none).
std::string RunKey(const ExperimentConfig& config, const std::string& code_version,
                   const std::string& train_data_digest, const std::string& test_data_digest,
                   const std::string& pretrained_key);

// The name of a run's Bazel action and output directory (runs.bzl, bazel_runs.h): the first
// 20 hex digits of the SHA-256 of the config's text format (threads as planned).
std::string RunActionHash(const ExperimentConfig& config);

struct RunRecord {
  RunResult result;
  std::string key;
  std::string dir;     // the cache entry
  bool reused = false; // served from the cache
  bool adopted = false; // copied from a Bazel run action's outputs (adopt_dir)
};

class Runner {
 public:
  explicit Runner(RunnerOptions options);

  // The run's key (opens its datasets to digest them; digests are memoized).
  StatusOr<std::string> Key(const ExperimentConfig& config);
  // The run's result: from the cache when its entry checks out, else computed (its
  // pretrained run first). Errors: bad config or data, a failed train process (the
  // message quotes the end of its log).
  StatusOr<RunRecord> Get(const ExperimentConfig& config);

  int computed() const { return computed_; }
  int reused() const { return reused_; }
  int adopted() const { return adopted_; }
  int recomputed_corrupt() const { return corrupt_; }
  const RunnerOptions& options() const { return options_; }

 private:
  StatusOr<std::string> DigestOf(const std::string& field, const std::string& serialized);
  Status Compute(const ExperimentConfig& config, const std::string& dir,
                 const RunRecord* pretrained);
  // OK with the result when dir's entry is complete and intact for `key`; the reason
  // otherwise (absent: NotFound).
  StatusOr<RunResult> ReadEntry(const std::string& dir, const std::string& key);
  // True with rec->result filled when rec's entry checks out (and --fresh is off); else the
  // entry is removed (when corrupt, or --fresh) and false.
  bool FromCache(RunRecord* rec);
  // After training or adoption: reads rec->dir's result and writes its ENTRY (last).
  Status Seal(RunRecord* rec);
  // Copies the run's Bazel action outputs into dir when they check out; NotFound when the
  // action has no outputs, another error saying what did not match.
  Status Adopt(const ExperimentConfig& config, const std::string& dir,
               const RunRecord* pretrained);

  RunnerOptions options_;
  std::map<std::string, std::string> data_digests_;  // serialized DatasetConfig -> digest
  int computed_ = 0, reused_ = 0, corrupt_ = 0, adopted_ = 0;
};

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_RUNNER_H_
