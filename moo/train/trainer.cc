// The generic training loop (trainer.h).
#include "moo/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "datasets/datasets.h"
#include "moo/train/config.h"
#include "moo/train/data.h"
#include "moo/train/evaluate.h"
#include "moo/train/model.h"
#include "moo/train/proto_json.h"
#include "moo/train/recipes.h"

namespace strata {
namespace moo {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kCheckpointFile[] = "checkpoint.ckpt";
constexpr char kProgressFile[] = "progress.pb";

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

LrSchedule ScheduleFor(const ExperimentConfig& c, int64_t batches_per_epoch) {
  const int64_t total = static_cast<int64_t>(c.epochs()) * batches_per_epoch;
  const int64_t warmup = std::llround(c.schedule().warmup_epochs() * batches_per_epoch);
  const double lr = c.optimizer().lr();
  LrSchedule after;
  switch (c.schedule().kind()) {
    case ScheduleConfig::STEP:
      after = StepLr(lr, static_cast<int64_t>(c.schedule().step_epochs()) * batches_per_epoch,
                     c.schedule().gamma() == 0 ? 0.1 : c.schedule().gamma());
      break;
    case ScheduleConfig::CONSTANT:
      after = ConstantLr(lr);
      break;
    default:
      after = CosineLr(lr, std::max<int64_t>(1, total - warmup));
  }
  return warmup > 0 ? LinearWarmup(warmup, after) : after;
}

// Weight decay on every parameter, or (no_decay_on_bn) none on BN affine parameters and
// biases.
void AddParameterGroups(const ExperimentConfig& c, const models::Network& net, Sgd* sgd) {
  if (!c.optimizer().no_decay_on_bn()) {
    sgd->AddGroup(net.params());
    return;
  }
  std::set<std::string> no_decay;
  for (const models::Norm* n : net.norms()) {
    for (int v = 0; v < n->variants(); ++v) no_decay.insert(n->bn(v).name + ".weight");
  }
  auto exempt = [&](const std::string& name) {
    return no_decay.count(name) > 0 ||
           (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0);
  };
  sgd->AddGroup(net.params().Filter([&](const std::string& n) { return !exempt(n); }));
  sgd->AddGroup(net.params().Filter(exempt), /*weight_decay=*/0.f);
}

// Everything the loop carries between epochs.
struct Run {
  const ExperimentConfig* config;
  const TrainOptions* options;
  RunData data;
  std::unique_ptr<models::Network> net;
  std::unique_ptr<Recipe> recipe;
  std::unique_ptr<Sgd> sgd;
  LrSchedule lr;            // of one stage
  int64_t stage_steps = 1;  // optimizer steps per stage: epochs x batches per epoch
  ParameterSet state;       // params + buffers + optimizer state: the checkpoint
  int64_t batches_this_process = 0;
};

// Every evaluation point of the recipe; the first is the epoch's test_* headline.
Status EvaluatePoints(Run& run, EpochRecord* rec) {
  for (const EvalPoint& point : run.recipe->Evals()) {
    STRATA_ASSIGN_OR_RETURN(EvalRecord e,
                            Evaluate(*run.net, point.ctx, run.data.test_loader.get()));
    e.set_name(point.name);
    *rec->add_evals() = std::move(e);
  }
  CHECK(rec->evals_size() > 0) << "a recipe must name at least one evaluation point";
  rec->set_test_loss(rec->evals(0).loss());
  rec->set_test_top1(rec->evals(0).top1());
  rec->set_test_top5(rec->evals(0).top5());
  return Status::Ok();
}

// Running sums over one epoch's batches.
struct EpochSums {
  Clock::time_point start = Clock::now();
  double loss = 0;
  int64_t correct = 0, count = 0, batches = 0;
};

int TotalEpochs(const Run& run) { return run.config->epochs() * run.recipe->Stages(); }

// The learning rate of global step `step`: the schedule restarts at every stage.
double LrAt(const Run& run, int64_t step) { return run.lr(step % run.stage_steps); }

bool StepBudgetSpent(const Run& run) {
  return run.config->max_steps() > 0 && run.sgd->steps() >= run.config->max_steps();
}

void ReportProgress(const Run& run, int epoch, const EpochSums& s) {
  if (!run.options->progress) return;
  ProgressState p;
  p.epoch = epoch + 1, p.epochs = TotalEpochs(run);
  p.batch = s.batches, p.batches = run.data.train_loader->batches_per_epoch();
  p.loss = s.loss / s.batches, p.top1 = 100.0 * s.correct / s.count;
  const double secs = Seconds(s.start);
  p.images_per_second = s.count / secs;
  p.eta_seconds = secs / s.batches * ((p.epochs - epoch) * p.batches - s.batches);
  run.options->progress(p, false);
}

// The epoch's record; evaluates unless the run diverged.
Status FinishEpoch(Run& run, int epoch, const EpochSums& s, bool diverged, EpochRecord* rec) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rec->set_epoch(epoch + 1);
  rec->set_train_loss(diverged ? nan : s.loss / std::max<int64_t>(1, s.batches));
  rec->set_train_top1(s.count > 0 ? 100.0 * s.correct / s.count : 0.0);
  rec->set_images_per_second(s.count / std::max(Seconds(s.start), 1e-9));
  rec->set_lr(LrAt(run, std::max<int64_t>(0, run.sgd->steps() - 1)));
  rec->set_stage(epoch / run.config->epochs());
  for (const auto& [name, value] : run.recipe->TakeEpochMetrics()) {
    NamedValue* m = rec->add_metrics();
    m->set_name(name);
    m->set_value(value);
  }
  rec->set_steps(run.sgd->steps());
  if (diverged) {
    rec->set_test_top1(nan), rec->set_test_top5(nan), rec->set_test_loss(nan);
  } else {
    STRATA_RETURN_IF_ERROR(EvaluatePoints(run, rec));
  }
  rec->set_seconds(Seconds(s.start));
  return Status::Ok();
}

// One epoch of training; *diverged on a non-finite loss (the epoch then stops).
Status TrainEpoch(Run& run, int epoch, EpochRecord* rec, bool* diverged) {
  datasets::Loader& loader = *run.data.train_loader;
  loader.StartEpoch(epoch);
  EpochSums sums;
  datasets::Batch b;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(bool more, loader.Next(&b));
    if (!more) break;
    StepInput in{run.net.get(), BatchTensor(b), &b.labels, models::ForwardContext()};
    in.ctx.training = true, in.ctx.seed = run.config->seed(), in.ctx.step = run.sgd->steps();
    const StepMetrics m = TrainStep(in, run.recipe.get(), run.sgd.get(),
                                    static_cast<float>(LrAt(run, run.sgd->steps())));
    if (!std::isfinite(m.loss)) {
      *diverged = true;
      break;
    }
    sums.loss += m.loss, sums.correct += m.correct, sums.count += m.count, ++sums.batches;
    ReportProgress(run, epoch, sums);
    if (++run.batches_this_process == run.options->interrupt_after_batches) {
      return FailedPreconditionError(
          "interrupted after " + std::to_string(run.batches_this_process) + " batches (test hook)");
    }
    if (StepBudgetSpent(run)) break;
  }
  STRATA_RETURN_IF_ERROR(FinishEpoch(run, epoch, sums, *diverged, rec));
  if (run.options->progress) {
    ProgressState p;
    p.epoch = epoch + 1, p.epochs = TotalEpochs(run);
    p.batch = p.batches = loader.batches_per_epoch();
    p.loss = rec->train_loss(), p.top1 = rec->test_top1();
    p.images_per_second = rec->images_per_second();
    run.options->progress(p, true);
  }
  return Status::Ok();
}

// Network parameters, BN buffers and the recipe's parameters: what the digest covers.
ParameterSet Weights(const Run& run) {
  ParameterSet w = run.net->params();
  w.AddAll(run.net->buffers());
  w.AddAll(run.recipe->Parameters());
  return w;
}

std::string Join(const std::string& dir, const char* file) { return dir + "/" + file; }

// The config with what may change across a resume (threads) cleared.
std::string ResumeKey(ExperimentConfig c) {
  c.set_threads(0);
  return DeterministicBinary(c);
}

// Restores state from out_dir's checkpoint; *start_epoch = epochs already done.
Status Resume(Run& run, RunResult* result, int* start_epoch) {
  const std::string ckpt = Join(run.options->out_dir, kCheckpointFile);
  const std::string progress = Join(run.options->out_dir, kProgressFile);
  if (!FileExists(ckpt)) return Status::Ok();  // nothing finished yet: start over
  RunResult done;
  STRATA_ASSIGN_OR_RETURN(std::string bytes, ReadFile(progress));
  if (!done.ParseFromString(bytes)) return DataLossError(progress + ": not a RunResult");
  if (ResumeKey(done.config()) != ResumeKey(*run.config)) {
    return FailedPreconditionError(ckpt + ": written by a different experiment config ('" +
                                   done.config().name() + "', model '" +
                                   done.config().model().name() + "'); refusing to resume");
  }
  std::map<std::string, int64_t> counters;
  STRATA_RETURN_IF_ERROR(LoadCheckpoint(ckpt, run.state, &counters));
  *start_epoch = static_cast<int>(counters["epoch"]);
  run.sgd->set_steps(counters["sgd.steps"]);
  if (done.epochs_size() < *start_epoch) {
    return DataLossError(progress + ": " + std::to_string(done.epochs_size()) +
                         " epoch records, the checkpoint has " + std::to_string(*start_epoch));
  }
  for (int e = 0; e < *start_epoch; ++e) *result->add_epochs() = done.epochs(e);
  result->set_resumed(*start_epoch > 0);
  return Status::Ok();
}

Status SaveEpoch(const Run& run, const RunResult& result, int epochs_done) {
  const std::string& dir = run.options->out_dir;
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(Join(dir, kProgressFile), DeterministicBinary(result)));
  return SaveCheckpoint(Join(dir, kCheckpointFile), run.state,
                        {{"epoch", epochs_done}, {"sgd.steps", run.sgd->steps()}});
}

// Loads the network's parameters and BN buffers from a finished run's weights file (BN
// variants > 0 are not in it: they start as copies of variant 0).
Status InitFromWeights(const Run& run, const std::string& path) {
  std::set<std::string> extra_variants;
  for (const models::Norm* n : run.net->norms()) {
    for (int v = 1; v < n->variants(); ++v) extra_variants.insert(n->bn(v).name);
  }
  auto in_base_model = [&](const std::string& name) {
    return extra_variants.count(name.substr(0, name.rfind('.'))) == 0;
  };
  ParameterSet into = run.net->params().Filter(in_base_model);
  into.AddAll(run.net->buffers().Filter(in_base_model));
  LoadOptions options;
  options.allow_extra = true;  // the pretrained run's own step sizes etc.
  Status s = LoadCheckpoint(path, into, nullptr, options);
  if (!s.ok()) return s.Annotate("pretrained weights: ");
  for (const models::Norm* n : run.net->norms()) {
    const nn::BatchNorm2d& base = n->bn(0);
    for (int v = 1; v < n->variants(); ++v) {
      const nn::BatchNorm2d& bn = n->bn(v);
      for (auto [dst, src] : {std::pair(bn.weight, base.weight), std::pair(bn.bias, base.bias),
                              std::pair(bn.running_mean, base.running_mean),
                              std::pair(bn.running_var, base.running_var)}) {
        std::memcpy(dst.data(), src.data(), src.numel() * sizeof(float));
      }
    }
  }
  return Status::Ok();
}

void Finalize(const Run& run, RunResult* r) {
  r->set_param_digest(ParameterDigest(Weights(run)));
  r->set_steps(run.sgd->steps());
  r->set_num_parameters(run.net->NumParameters());
  r->set_threads(NumThreads());
  r->set_openblas_coretype(run.options->openblas_coretype);
  r->set_train_data_digest(run.data.train->digest());
  r->set_test_data_digest(run.data.test->digest());
  double wall = 0;
  for (const EpochRecord& e : r->epochs()) wall += e.seconds();
  r->set_wall_seconds(wall);
  r->set_code_version(run.options->code_version);
  r->set_pretrained_digest(run.options->pretrained_digest);
  if (r->epochs_size() > 0) {
    const EpochRecord& last = r->epochs(r->epochs_size() - 1);
    r->set_final_test_top1(last.test_top1());
    r->set_final_test_top5(last.test_top5());
    r->set_final_train_loss(last.train_loss());
    *r->mutable_final_evals() = last.evals();
  }
}

// Everything that can fail on outside input, before any file is written.
Status Prepare(const ExperimentConfig& config, Run& run) {
  STRATA_RETURN_IF_ERROR(ValidateExperimentConfig(config));
  STRATA_ASSIGN_OR_RETURN(run.data, OpenRunData(config));
  STRATA_ASSIGN_OR_RETURN(models::ModelSpec spec, ModelSpecFor(config, ShapeOf(run.data)));
  STRATA_ASSIGN_OR_RETURN(run.net, models::Build(spec));
  STRATA_ASSIGN_OR_RETURN(run.recipe, MakeRecipe(config, *run.net));
  run.sgd = MakeSgd(config, *run.net, *run.recipe);
  run.lr = ScheduleFor(config, run.data.train_loader->batches_per_epoch());
  run.stage_steps =
      static_cast<int64_t>(config.epochs()) * run.data.train_loader->batches_per_epoch();
  if (config.has_pretrained() && run.options->init_weights.empty()) {
    return InvalidArgumentError("pretrained: run '" + config.pretrained().name() +
                                "' must be trained first: no weights file was given");
  }
  run.state = Weights(run);
  run.state.AddAll(run.recipe->State());
  run.state.AddAll(run.sgd->StateTensors());
  return Status::Ok();
}

}  // namespace

StepMetrics TrainStep(const StepInput& in, Recipe* recipe, Sgd* sgd, float lr) {
  in.net->params().ZeroGrads();
  recipe->Parameters().ZeroGrads();
  const StepMetrics m = recipe->Step(in);
  if (!std::isfinite(m.loss)) return m;
  sgd->Step(lr);
  recipe->AfterStep(*in.net);
  return m;
}

std::unique_ptr<Sgd> MakeSgd(const ExperimentConfig& config, const models::Network& net,
                             const Recipe& recipe) {
  SgdOptions so;
  so.momentum = static_cast<float>(config.optimizer().momentum());
  so.nesterov = config.optimizer().nesterov();
  so.weight_decay = static_cast<float>(config.optimizer().weight_decay());
  so.decoupled_weight_decay = config.optimizer().decoupled_weight_decay();
  auto sgd = std::make_unique<Sgd>(so);
  AddParameterGroups(config, net, sgd.get());
  const ParameterSet recipe_params = recipe.Parameters();
  if (recipe_params.size() > 0) sgd->AddGroup(recipe_params, /*weight_decay=*/0.f);
  return sgd;
}

StatusOr<RunResult> RunExperiment(const ExperimentConfig& config, const TrainOptions& options) {
  CHECK(!options.out_dir.empty()) << "RunExperiment: TrainOptions::out_dir is empty";
  Run run;
  run.config = &config;
  run.options = &options;
  STRATA_RETURN_IF_ERROR(Prepare(config, run));
  if (config.threads() > 0) SetNumThreads(config.threads());
  RunResult result;
  *result.mutable_config() = config;
  int start_epoch = 0;
  if (options.resume) STRATA_RETURN_IF_ERROR(Resume(run, &result, &start_epoch));
  if (start_epoch == 0 && !options.init_weights.empty()) {
    STRATA_RETURN_IF_ERROR(InitFromWeights(run, options.init_weights));
  }
  STRATA_RETURN_IF_ERROR(MakeDirs(options.out_dir));
  const int total = TotalEpochs(run);
  for (int epoch = start_epoch; epoch < total && !StepBudgetSpent(run); ++epoch) {
    const bool stage_start = epoch % config.epochs() == 0;
    if (stage_start || epoch == start_epoch) {
      STRATA_RETURN_IF_ERROR(
          run.recipe->BeginStage(epoch / config.epochs(), !stage_start, *run.net));
    }
    EpochRecord* rec = result.add_epochs();
    bool diverged = false;
    STRATA_RETURN_IF_ERROR(TrainEpoch(run, epoch, rec, &diverged));
    if (diverged) {
      result.set_diverged(true);
      break;
    }
    STRATA_RETURN_IF_ERROR(SaveEpoch(run, result, epoch + 1));
  }
  Finalize(run, &result);
  STRATA_RETURN_IF_ERROR(SaveCheckpoint(Join(options.out_dir, kWeightsFile), Weights(run)));
  STRATA_RETURN_IF_ERROR(
      WriteFileAtomic(options.out_dir + "/result.pb", DeterministicBinary(result)));
  STRATA_RETURN_IF_ERROR(
      WriteFileAtomic(options.out_dir + "/result.json", DeterministicJson(result)));
  return result;
}

}  // namespace moo
}  // namespace strata
