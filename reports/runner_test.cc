// The harness: cache keys (config in, output directory out), presets as data, the cached
// runner (reuse, corrupt entries recomputed, --fresh), pretrained runs, bad input.
#include "reports/runner.h"

#include <sys/stat.h>

#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include <google/protobuf/text_format.h>

#include "datasets/datasets.h"
#include "gtest/gtest.h"
#include "moo/train/test_util.h"
#include "reports/preset.h"
#include "reports/runfiles.h"
#include "reports/table.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {
namespace {

using moo::ParseOrFail;
using moo::SyntheticData;
using moo::TestTmpDir;


// ResNet-20 at width 1/4 on 96 synthetic images: one epoch of 3 batches.
const std::string kTiny = R"pb(
  name: "tiny"
  model { name: "resnet20" width: 0.25 }
)pb" + SyntheticData(96, 32, 3, 4) + R"pb(
  batch_size: 32
  epochs: 1
  optimizer { lr: 0.05 momentum: 0.9 }
  seed: 1
  fp {}
)pb";

ExperimentConfig Tiny() {
  return ParseOrFail(kTiny);
}

RunnerOptions Options(const std::string& cache) {
  RunnerOptions o;
  o.cache_dir = TestTmpDir(cache);
  o.train_binary = RunfilePath("reports/train");
  o.code_version = "test-code-version";
  o.threads = 1;
  o.log = nullptr;
  return o;
}

// Overwrites byte 100 of the file with 'x'.
void CorruptByte(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  ASSERT_NE(f, nullptr) << path;
  std::fseek(f, 100, SEEK_SET);
  std::fputc('x', f);
  std::fclose(f);
}

TEST(RunKeyTest, ChangesWithTheConfigNotWithTheOutputDirectoryOrThreads) {
  Runner a(Options("cache_a")), b(Options("cache_b"));
  const ExperimentConfig base = Tiny();
  const StatusOr<std::string> ka = a.Key(base), kb = b.Key(base);
  ASSERT_TRUE(ka.ok()) << ka.status().ToString();
  ASSERT_EQ(ka->size(), 64u);
  EXPECT_EQ(*ka, *kb);  // another cache/output directory: same key
  ExperimentConfig threads = base;
  threads.set_threads(7);
  EXPECT_EQ(*a.Key(threads), *ka);
  // Every kind of change moves the key.
  std::vector<ExperimentConfig> changed(6, base);
  changed[0].mutable_optimizer()->set_lr(0.06);
  changed[1].set_seed(2);
  changed[2].mutable_model()->set_width(0.5);
  changed[3].mutable_train_data()->mutable_synthetic()->set_seed(9);  // other data
  changed[4].set_epochs(2);
  *changed[5].mutable_pretrained() = base;
  std::set<std::string> keys = {*ka};
  for (const ExperimentConfig& c : changed) {
    StatusOr<std::string> k = a.Key(c);
    ASSERT_TRUE(k.ok()) << k.status().ToString();
    EXPECT_TRUE(keys.insert(*k).second) << c.DebugString();
  }
  // Another code version, same config: another key.
  RunnerOptions o = Options("cache_a");
  o.code_version = "other";
  EXPECT_NE(*Runner(o).Key(base), *ka);
  // The pure function agrees with the runner and sees the pretrained key.
  EXPECT_NE(RunKey(base, "v", "t", "s", ""), RunKey(base, "v", "t", "s", "p"));
  EXPECT_NE(RunKey(base, "v", "t", "s", ""), RunKey(base, "v", "t2", "s", ""));
}

TEST(RunnerTest, ReusesFinishedRunsRecomputesCorruptEntriesAndFresh) {
  const std::string cache = "cache_run";
  std::filesystem::remove_all(TestTmpDir(cache));
  Runner runner(Options(cache));
  StatusOr<RunRecord> first = runner.Get(Tiny());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->reused);
  EXPECT_EQ(first->result.param_digest().size(), 64u);
  EXPECT_EQ(first->result.code_version(), "test-code-version");
  StatusOr<RunRecord> again = runner.Get(Tiny());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->result.param_digest(), first->result.param_digest());
  EXPECT_EQ(runner.computed(), 1);
  // A truncated result is never trusted: recomputed, to the same bytes.
  const std::string result = first->dir + "/result.pb";
  std::filesystem::resize_file(result, std::filesystem::file_size(result) / 2);
  StatusOr<RunRecord> third = runner.Get(Tiny());
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_FALSE(third->reused);
  EXPECT_EQ(runner.recomputed_corrupt(), 1);
  EXPECT_EQ(third->result.param_digest(), first->result.param_digest());
  // So is a corrupted weights file.
  CorruptByte(first->dir + "/weights.ckpt");
  EXPECT_FALSE(runner.Get(Tiny())->reused);
  EXPECT_EQ(runner.recomputed_corrupt(), 2);
  // --fresh recomputes a good entry.
  RunnerOptions o = Options(cache);
  o.fresh = true;
  Runner fresh(o);
  StatusOr<RunRecord> f = fresh.Get(Tiny());
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->reused);
  EXPECT_EQ(f->result.param_digest(), first->result.param_digest());
  EXPECT_EQ(Runner(Options(cache)).Get(Tiny())->reused, true);
}

TEST(RunnerTest, PretrainedRunIsComputedOnceAndInitialisesTheRun) {
  const std::string cache = "cache_pre";
  std::filesystem::remove_all(TestTmpDir(cache));
  Runner runner(Options(cache));
  ExperimentConfig child = Tiny();
  child.set_name("child");
  child.mutable_optimizer()->set_lr(1e-30);  // ~no update: the result shows the init
  *child.mutable_pretrained() = Tiny();
  StatusOr<RunRecord> r = runner.Get(child);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(runner.computed(), 2);
  StatusOr<RunRecord> pre = runner.Get(Tiny());
  ASSERT_TRUE(pre.ok());
  EXPECT_TRUE(pre->reused);
  EXPECT_EQ(r->result.pretrained_digest(), pre->result.param_digest());
  // Started from the pretrained weights: with a negligible learning rate (and no weight
  // decay) the child's convolution weights are the pretrained run's, bit for bit.
  auto conv_weights = [](const std::string& path) {
    models::ModelSpec spec;
    spec.name = "resnet20", spec.width = 0.25, spec.in_channels = 1, spec.num_classes = 4;
    spec.input_size = 32;
    std::unique_ptr<models::Network> net = std::move(models::Build(spec)).value();
    LoadOptions extra;
    extra.allow_extra = true;
    EXPECT_TRUE(LoadCheckpoint(path, net->params(), nullptr, extra).ok()) << path;
    const Tensor& w = net->layers()[5]->weight();
    return std::vector<float>(w.data(), w.data() + w.numel());
  };
  EXPECT_EQ(conv_weights(r->dir + "/weights.ckpt"), conv_weights(pre->dir + "/weights.ckpt"));
  EXPECT_NE(r->result.param_digest(), pre->result.param_digest());  // BN statistics moved
}

// What a Bazel run action (runs.bzl) leaves: train on the config text with the code-version
// stamp and --init from the pretrained action's outputs, then result.pb, result.json and
// weights.ckpt in <dir>/<RunActionHash>/.
void RunAction(const ExperimentConfig& c, const std::string& dir,
               const std::string& fashion_mnist_dir = "") {
  const std::string out = dir + "/" + RunActionHash(c);
  const std::string work = out + ".work";
  ASSERT_TRUE(MakeDirs(work).ok());
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(c, &text));
  ASSERT_TRUE(WriteFileAtomic(work + "/config.pbtxt", text).ok());
  std::string cmd = RunfilePath("reports/train") + " --config=" + work + "/config.pbtxt --out=" +
                    work + "/run --code_version=test-code-version --threads=1";
  if (c.has_pretrained()) {
    cmd += " --init=" + dir + "/" + RunActionHash(c.pretrained()) + "/weights.ckpt";
  }
  if (!fashion_mnist_dir.empty()) cmd += " --fashion_mnist_dir=" + fashion_mnist_dir;
  ASSERT_EQ(std::system((cmd + " > " + work + "/train.log 2>&1").c_str()), 0) << cmd;
  ASSERT_TRUE(MakeDirs(out).ok());
  for (const char* f : {"result.pb", "result.json", "weights.ckpt"}) {
    std::filesystem::copy_file(work + "/run/" + f, out + "/" + f);
  }
  std::filesystem::remove_all(work);
}

TEST(RunnerTest, AdoptsBazelRunActionOutputsOnlyWhenTheyCheckOut) {
  ExperimentConfig child = Tiny();
  child.set_name("child");
  *child.mutable_pretrained() = Tiny();
  const std::string actions = TestTmpDir("actions");
  std::filesystem::remove_all(actions);
  RunAction(child.pretrained(), actions);
  RunAction(child, actions);

  // Trained here, for comparison.
  std::filesystem::remove_all(TestTmpDir("cache_trained"));
  Runner trainer(Options("cache_trained"));
  StatusOr<RunRecord> trained = trainer.Get(child);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();

  auto adopting = [&](const std::string& cache, const std::string& code_version) {
    std::filesystem::remove_all(TestTmpDir(cache));
    RunnerOptions o = Options(cache);
    o.adopt_dir = actions;
    o.code_version = code_version;
    return std::make_unique<Runner>(o);
  };
  auto counts = [](const Runner& r) { return std::make_pair(r.adopted(), r.computed()); };
  std::unique_ptr<Runner> runner = adopting("cache_adopt", "test-code-version");
  StatusOr<RunRecord> r = runner->Get(child);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->adopted);
  EXPECT_EQ(counts(*runner), std::make_pair(2, 0));  // adopted, trained
  EXPECT_EQ(r->result.param_digest(), trained->result.param_digest());
  // An ordinary entry afterwards.
  StatusOr<RunRecord> again = Runner(Options("cache_adopt")).Get(child);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);

  // Another code version: nothing adopted, everything trained.
  runner = adopting("cache_other_code", "other-code-version");
  ASSERT_TRUE(runner->Get(child).ok());
  EXPECT_EQ(counts(*runner), std::make_pair(0, 2));  // adopted, trained

  // Outputs filed under another config's name: refused.
  ExperimentConfig other = child;
  other.mutable_optimizer()->set_lr(0.04);
  std::filesystem::copy(actions + "/" + RunActionHash(child), actions + "/" + RunActionHash(other));
  runner = adopting("cache_other_config", "test-code-version");
  ASSERT_TRUE(runner->Get(other).ok());
  EXPECT_EQ(counts(*runner), std::make_pair(1, 1));  // pretrained adopted, this one trained

  // The child's action started from other weights than the cache's pretrained entry (here:
  // the pretrained action's outputs are gone and its weights file altered, so the
  // pretrained run is trained here): refused.
  const std::string pre = actions + "/" + RunActionHash(child.pretrained());
  std::filesystem::remove(pre + "/result.pb");
  CorruptByte(pre + "/weights.ckpt");
  runner = adopting("cache_other_init", "test-code-version");
  StatusOr<RunRecord> retrained = runner->Get(child);
  ASSERT_TRUE(retrained.ok()) << retrained.status().ToString();
  EXPECT_FALSE(retrained->adopted);
  EXPECT_EQ(counts(*runner), std::make_pair(0, 2));  // adopted, trained
  EXPECT_EQ(retrained->result.param_digest(), trained->result.param_digest());
}

TEST(RunnerTest, AdoptedFashionMnistRunsReadTheirDataFromThePlannedDirectory) {
  // The action reads Fashion-MNIST from its sandbox (--fashion_mnist_dir), gone afterwards;
  // the adopted result names the planned (default) directory, so tables can reopen its
  // test set.
  const std::string debian = std::string(datasets::kDebianFashionMnistDir);
  if (!FileExists(debian + "/t10k-images-idx3-ubyte.gz")) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") FAIL() << debian << " missing under CI";
    GTEST_SKIP() << debian << " missing: install dataset-fashion-mnist";
  }
  ExperimentConfig c = ParseOrFail(R"pb(
    name: "fm"
    model { name: "resnet20" width: 0.25 }
    train_data { kind: FASHION_MNIST split: TRAIN first_k_per_class { k: 3 } }
    test_data { kind: FASHION_MNIST split: TEST first_k_per_class { k: 2 } }
    batch_size: 10
    epochs: 1
    optimizer { lr: 0.05 momentum: 0.9 }
    seed: 1
    fp {}
  )pb");
  const std::string actions = TestTmpDir("actions_fm"), sandbox = TestTmpDir("sandbox_fm");
  std::filesystem::remove_all(actions);
  std::filesystem::remove_all(sandbox);
  std::filesystem::create_directory_symlink(debian, sandbox);
  RunAction(c, actions, sandbox);
  std::filesystem::remove(sandbox);
  std::filesystem::remove_all(TestTmpDir("cache_fm"));
  RunnerOptions o = Options("cache_fm");
  o.adopt_dir = actions;
  Runner runner(o);
  StatusOr<RunRecord> r = runner.Get(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->adopted);
  EXPECT_EQ(r->result.config().test_data().path(), "");
  EXPECT_TRUE(datasets::Open(r->result.config().test_data()).ok());
  StatusOr<RunRecord> again = Runner(Options("cache_fm")).Get(c);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->result.param_digest(), r->result.param_digest());
}

TEST(RunnerTest, FailedRunQuotesItsLog) {
  RunnerOptions o = Options("cache_fail");
  Runner runner(o);
  ExperimentConfig bad = Tiny();
  bad.mutable_model()->set_name("resnet20");
  bad.mutable_model()->set_num_classes(2);  // fewer than the data's 4: train refuses
  StatusOr<RunRecord> r = runner.Get(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("model.num_classes"), std::string::npos)
      << r.status().ToString();
}

TEST(PresetTest, EveryPresetLoadsAndAppliesRecursively) {
  for (const std::string& name : PresetNames()) {
    StatusOr<Preset> p = LoadPreset(name);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->name(), name);
  }
  StatusOr<Preset> smoke = LoadPreset("smoke");
  ExperimentConfig planned = Tiny();
  planned.mutable_model()->set_width(0.5);
  const ExperimentConfig pre = planned;
  *planned.mutable_pretrained() = pre;
  StatusOr<ExperimentConfig> c = ApplyPreset(*smoke, "strata_fp", UserData(), planned, 7);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->epochs(), smoke->overlay().epochs());
  EXPECT_DOUBLE_EQ(c->model().width(), 0.5 * smoke->width_multiplier());
  EXPECT_EQ(c->seed(), 7u);
  EXPECT_EQ(c->pretrained().seed(), 7u);
  EXPECT_DOUBLE_EQ(c->pretrained().model().width(), 0.5 * smoke->width_multiplier());
  EXPECT_EQ(c->train_data().first_k_per_class().k(), smoke->overlay().train_data().first_k_per_class().k());
}

TEST(PresetTest, BadInput) {
  StatusOr<Preset> p = LoadPreset("huge");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("'huge' is not one of smoke, quick, full, paper"),
            std::string::npos)
      << p.status().ToString();
  EXPECT_NE(ParsePreset("name: \"x\" width_multiplier: fast", "p.pbtxt").status().message().find("p.pbtxt:1:"),
            std::string::npos);
  // The table knobs a preset holds are checked before any table runs, naming the field.
  for (const auto& [text, field] :
       {std::pair<std::string, std::string>{"speed { gemm_n: 1024 gemm_reps: 1 reps: 0 }", "speed.reps: 0"},
        {"speed { gemm_n: 8 reps: 2 }", "speed.gemm_n: 8"},
        {"sweeps { inq_bits: [3, 12] }", "sweeps.inq_bits: 12"},
        {"sweeps { ensemble_members: 9 }",
         "sweeps.ensemble_members: 9"}}) {
    const Status s = ParsePreset("name: \"x\" " + text, "p.pbtxt").status();
    EXPECT_NE(s.message().find("p.pbtxt: field " + field), std::string::npos) << s.ToString();
  }
  StatusOr<Preset> paper = LoadPreset("paper");
  StatusOr<ExperimentConfig> c = ApplyPreset(*paper, "vl_table1", UserData(), Tiny(), 1);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--data="), std::string::npos) << c.status().ToString();
  UserData bad{"/data", "mnist"};
  EXPECT_NE(ApplyPreset(*paper, "vl_table1", bad, Tiny(), 1).status().message().find("'mnist'"),
            std::string::npos);
  UserData cifar{"/data/cifar100", "cifar100"};
  c = ApplyPreset(*paper, "vl_table1", cifar, Tiny(), 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->train_data().kind(), datasets::DatasetConfig::CIFAR100);
  EXPECT_EQ(c->test_data().path(), "/data/cifar100");
}

TEST(TableFlagsTest, UnknownPresetFlagAndUnwritableOutput) {
  char prog[] = "t";
  char preset[] = "--preset=nope";
  char* argv1[] = {prog, preset};
  StatusOr<TableContext> ctx = ParseTableFlags(2, argv1, {}, "x");
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("'nope'"), std::string::npos);
  char flag[] = "--bogus=1";
  char* argv2[] = {prog, flag};
  EXPECT_NE(ParseTableFlags(2, argv2, {}, "x").status().message().find("unknown flag '--bogus=1'"),
            std::string::npos);
  // An output directory that cannot be created: an error naming it, before any run.
  char out[] = "--out=/proc/strata_no_such_dir/out";
  char* argv3[] = {prog, out};
  ctx = ParseTableFlags(2, argv3, {}, "x");
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  const TableDef* def = FindTable("amed_table1");
  ASSERT_NE(def, nullptr);
  StatusOr<TableReport> r = RunTable(*def, *ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/proc/strata_no_such_dir"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(FindTable("vl_table99"), nullptr);
}

TEST(TableFlagsTest, RelativePathsAreFromWhereBazelRunWasCalled) {
  const std::string here = TestTmpDir("called_from");
  ASSERT_TRUE(MakeDirs(here + "/bazel-bin/reports/runs").ok());
  ASSERT_EQ(setenv("BUILD_WORKING_DIRECTORY", here.c_str(), 1), 0);
  char prog[] = "t", out[] = "--out=tables", cache[] = "--cache=/abs/cache",
       runs[] = "--runs_from=bazel-bin/reports/runs", missing[] = "--runs_from=no/such/dir";
  char* argv[] = {prog, out, cache, runs};
  StatusOr<TableContext> ctx = ParseTableFlags(4, argv, {}, "x");
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_EQ(ctx->out_dir, here + "/tables");
  EXPECT_EQ(ctx->cache_dir, "/abs/cache");
  EXPECT_EQ(ctx->runs_from, here + "/bazel-bin/reports/runs");
  char* argv2[] = {prog, missing};
  ctx = ParseTableFlags(2, argv2, {}, "x");
  unsetenv("BUILD_WORKING_DIRECTORY");
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("--runs_from: 'no/such/dir'"), std::string::npos)
      << ctx.status().ToString();
}

}  // namespace
}  // namespace reports
}  // namespace strata
