// once-QAT end to end: a real RunExperiment run (synthetic data, from a pretrained FP run) is
// deterministic and resumable for any thread count; its export to the vertical-layered
// model file computes, at every width and from every section prefix, the trained run's
// logits bit for bit, and its test-set accuracy (model_file.h).
#include "moo/train/model_file.h"

#include <google/protobuf/text_format.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "moo/train/test_util.h"
#include "moo/train/train.h"

namespace strata {
namespace moo {
namespace {

// ResNet-20 at width 1/4 on 128 synthetic 28x28 images, batch 32.
const std::string kBase = R"pb(
                            model { name: "resnet20" width: 0.25 }
                          )pb" +
                          SyntheticData(128, 40) + R"pb(
  batch_size: 32
  optimizer { lr: 0.05 momentum: 0.9 weight_decay: 5e-4 no_decay_on_bn: true }
  schedule { kind: COSINE }
  seed: 7
)pb";

ExperimentConfig Config(const std::string& extra) { return ParseOrFail(kBase + extra); }

RunResult MustRun(const ExperimentConfig& c, const std::string& dir, bool resume = false,
                  int64_t interrupt = 0) {
  TrainOptions o;
  o.out_dir = dir;
  o.resume = resume;
  o.interrupt_after_batches = interrupt;
  if (c.has_pretrained()) o.init_weights = TestTmpDir("fp") + "/weights.ckpt";
  StatusOr<RunResult> r = RunExperiment(c, o);
  if (interrupt > 0) {
    EXPECT_FALSE(r.ok());
    return RunResult();
  }
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : RunResult();
}

class OnceQatRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const ExperimentConfig fp = Config("name: 'fp' epochs: 1 fp {}");
    MustRun(fp, TestTmpDir("fp"));
    qat_ = new ExperimentConfig(Config("name: 'qat' epochs: 2 once_qat { self_kd: COSINE }"));
    qat_->mutable_optimizer()->set_lr(0.01);
    *qat_->mutable_pretrained() = fp;
    qat_->set_threads(2);
    result_ = new RunResult(MustRun(*qat_, TestTmpDir("qat")));
  }
  static ExperimentConfig* qat_;
  static RunResult* result_;
};
ExperimentConfig* OnceQatRunTest::qat_ = nullptr;
RunResult* OnceQatRunTest::result_ = nullptr;

TEST_F(OnceQatRunTest, RunEvaluatesEveryWidthAndIsResumableForAnyThreadCount) {
  const RunResult& full = *result_;
  ASSERT_FALSE(full.diverged());
  ASSERT_EQ(full.final_evals_size(), 3);
  EXPECT_EQ(full.final_evals(0).name(), "w2a2");
  EXPECT_EQ(full.final_evals(2).name(), "w4a4");
  bool has_loss_metric = false;
  for (const NamedValue& v : full.epochs(0).metrics())
    has_loss_metric |= v.name() == "train_loss_w2a2";
  EXPECT_TRUE(has_loss_metric);
  // Killed in epoch 2 (batch 6 of 8), resumed on one thread: same bytes.
  ExperimentConfig c = *qat_;
  MustRun(c, TestTmpDir("killed"), false, /*interrupt=*/6);
  c.set_threads(1);
  const RunResult resumed = MustRun(c, TestTmpDir("killed"), /*resume=*/true);
  EXPECT_TRUE(resumed.resumed());
  EXPECT_EQ(resumed.param_digest(), full.param_digest());
  EXPECT_EQ(resumed.final_evals(0).top1(), full.final_evals(0).top1());
  // MGD logs alpha per width.
  ExperimentConfig mgd = *qat_;
  mgd.mutable_once_qat()->set_moo(OnceQatRecipeConfig::MGD);
  mgd.set_epochs(1);
  const RunResult m = MustRun(mgd, TestTmpDir("mgd"));
  double alpha = 0;
  for (const NamedValue& v : m.epochs(0).metrics()) {
    if (v.name().rfind("alpha_w", 0) == 0) alpha += v.value();  // not alpha_std_*
  }
  EXPECT_NEAR(alpha, 1.0, 1e-9);
}

TEST_F(OnceQatRunTest, ModelFileReproducesEveryWidthBitForBitFromEveryPrefix) {
  StatusOr<OnceQatRun> run = LoadOnceQatRun(TestTmpDir("qat"));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  StatusOr<quant::VlModel> m = ExportVlModel(run.value());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const std::string path = TestTmpDir("model.vlm");
  ASSERT_TRUE(quant::WriteVlModel(path, m.value()).ok());
  StatusOr<std::string> bytes = ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  const std::vector<int64_t> sizes = quant::SectionSizes(m.value());
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_EQ(sizes.back(), static_cast<int64_t>(bytes.value().size()));
  std::vector<float> input(6 * 32 * 32);
  for (size_t i = 0; i < input.size(); ++i)
    input[i] = static_cast<float>((i * 37 % 101) / 50.0 - 1);
  const Tensor x = Tensor::FromVector({6, 1, 32, 32}, input);
  NoGradGuard no_grad;
  for (int k = 0; k < 3; ++k) {
    const int bits = 2 + k;
    const Tensor want = run.value().net->Forward(x, run.value().recipe->WidthContext(bits));
    // The file cut after section k, and cut 7 bytes into section k + 1.
    for (int64_t extra : {int64_t{0}, int64_t{7}}) {
      const int64_t len = std::min<int64_t>(sizes[k] + extra, bytes.value().size());
      quant::VlReadOptions o;
      o.allow_truncated_prefix = true;
      StatusOr<quant::VlModel> cut = quant::ParseVlModel(bytes.value().substr(0, len), o, "cut");
      ASSERT_TRUE(cut.ok()) << cut.status().ToString();
      ASSERT_EQ(cut.value().bits, bits);
      StatusOr<VlNetwork> net = BuildFromVlModel(cut.value());
      ASSERT_TRUE(net.ok()) << net.status().ToString();
      const Tensor got = net.value().net->Forward(x, net.value().Context());
      ASSERT_EQ(got.numel(), want.numel());
      for (int64_t i = 0; i < got.numel(); ++i) {
        ASSERT_EQ(got.data()[i], want.data()[i]) << bits << " bits, element " << i;
      }
      // The test set from the file alone: the run's own accuracy at that width.
      StatusOr<EvalRecord> e =
          EvaluateTestSet(net.value().config, *net.value().net, net.value().Context());
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      EXPECT_EQ(e.value().top1(), result_->final_evals(k).top1()) << bits;
      EXPECT_EQ(e.value().loss(), result_->final_evals(k).loss()) << bits;
    }
  }
}

TEST_F(OnceQatRunTest, FileCutInsideASectionLoadsOnlyWhenAskedExplicitly) {
  // vlmodel --eval: a cut file is an error naming the section by default; the shorter model
  // only with --allow_truncated (allow_truncated_prefix), and then read_info says so.
  StatusOr<OnceQatRun> run = LoadOnceQatRun(TestTmpDir("qat"));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  StatusOr<quant::VlModel> m = ExportVlModel(run.value());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  StatusOr<std::string> bytes = quant::SerializeVlModel(m.value());
  ASSERT_TRUE(bytes.ok());
  const std::vector<int64_t> sizes = quant::SectionSizes(m.value());
  const std::string path = TestTmpDir("cut.vlm");
  ASSERT_TRUE(WriteFileAtomic(path, bytes.value().substr(0, sizes[0] + 5)).ok());

  quant::VlReadOptions strict;
  StatusOr<VlFileEval> refused = EvaluateVlModelFile(path, strict);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kDataLoss) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("section 1"), std::string::npos)
      << refused.status().ToString();

  quant::VlReadOptions asked;
  asked.allow_truncated_prefix = true;
  StatusOr<VlFileEval> prefix = EvaluateVlModelFile(path, asked);
  ASSERT_TRUE(prefix.ok()) << prefix.status().ToString();
  EXPECT_EQ(prefix.value().model.bits, 2);
  EXPECT_TRUE(prefix.value().model.read_info.dropped_partial);
  EXPECT_NE(prefix.value().model.read_info.note.find("section 1"), std::string::npos);
  EXPECT_EQ(prefix.value().eval.top1(), result_->final_evals(0).top1());
}

TEST_F(OnceQatRunTest, NotAOnceQatRunIsAStatus) {
  StatusOr<OnceQatRun> run = LoadOnceQatRun(TestTmpDir("fp"));
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("not a once_qat run"), std::string::npos);
  EXPECT_FALSE(LoadOnceQatRun(TestTmpDir("no_such_dir")).ok());
}

TEST_F(OnceQatRunTest, WeightsWithoutActivationRangesAreAStatus) {
  // weights.ckpt carries the activation ranges; a model whose steps were never set (no
  // training step) cannot be evaluated or exported.
  StatusOr<OnceQatRun> run = LoadOnceQatRun(TestTmpDir("qat"));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const Tensor flags = *run.value().recipe->Parameters().Find("a_step.flags");
  std::memset(flags.data(), 0, sizeof(float) * static_cast<size_t>(flags.numel()));
  ParameterSet all = run.value().net->params();
  all.AddAll(run.value().net->buffers());
  all.AddAll(run.value().recipe->Parameters());
  const std::string dir = TestTmpDir("unset_steps");
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(SaveCheckpoint(dir + "/weights.ckpt", all, {}).ok());
  StatusOr<std::string> result = ReadFile(TestTmpDir("qat") + "/result.pb");
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/result.pb", result.value()).ok());
  StatusOr<OnceQatRun> refused = LoadOnceQatRun(dir);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("weights.ckpt: a_step.flags"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("w2a2"), std::string::npos);
}

TEST_F(OnceQatRunTest, AblationRunsTheFileCannotHoldAreAStatus) {
  // Shared BN (Table 4) and per-bit first/last layers (Table 8) do not fit the file's
  // layout: export refuses them by name instead of writing a wrong model.
  for (const char* option : {"bn: SHARED", "per_bit_first_last: true"}) {
    SCOPED_TRACE(option);
    ExperimentConfig c = *qat_;
    c.set_epochs(1);
    ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(
        std::string("once_qat { ") + option + " }", &c));
    const std::string dir =
        TestTmpDir(std::string("ablation_") + (option[0] == 'b' ? "bn" : "ends"));
    MustRun(c, dir);
    StatusOr<OnceQatRun> run = LoadOnceQatRun(dir);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    StatusOr<quant::VlModel> m = ExportVlModel(*run);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.status().message().find(option[0] == 'b' ? "once_qat.bn" : "per_bit_first_last"),
              std::string::npos)
        << m.status().ToString();
  }
}

}  // namespace
}  // namespace moo
}  // namespace strata
