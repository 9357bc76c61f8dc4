// INQ through the real training loop (RunExperiment + MakeRecipe): a short FP run, then INQ
// from its weights. Checks on the files the runs leave: every weight of the final
// weights.ckpt is its quantized value (0 or ±2^k of the codebook taken from the pretrained
// weights); the weights frozen after stage 0 (a run stopped there, max_steps) are
// bit-identical in the finished run; the per-epoch frozen fraction follows the schedule;
// bad INQ fields are Statuses naming field and value.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "gtest/gtest.h"
#include "moo/train/test_util.h"
#include "moo/train/train.h"
#include "quant/quant.h"

namespace strata {
namespace moo {
namespace {

// The small VGG (5 convs) at width 1/8 on 192 synthetic 28x28 images: 6 batches an epoch.
const std::string kFp = R"pb(
                          name: "fp"
                          model { name: "vgg16_bn_small5" width: 0.125 }
                        )pb" +
                        SyntheticData(192, 64) + R"pb(
  batch_size: 32
  epochs: 1
  optimizer { lr: 0.05 momentum: 0.9 weight_decay: 5e-4 no_decay_on_bn: true }
  seed: 7
)pb";

ExperimentConfig Inq(int bits, int64_t max_steps) {
  ExperimentConfig c =
      ParseOrFail(kFp + " inq { bits: " + std::to_string(bits) + " schedule: [0.5, 0.75, 1.0] }");
  c.set_name("inq");
  c.mutable_optimizer()->set_lr(0.01);
  c.set_max_steps(max_steps);
  *c.mutable_pretrained() = ParseOrFail(kFp);
  return c;
}

RunResult MustRun(const ExperimentConfig& c, const std::string& dir, const std::string& init) {
  TrainOptions o;
  o.out_dir = dir;
  o.init_weights = init;
  StatusOr<RunResult> r = RunExperiment(c, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : RunResult();
}

// The network and INQ recipe of `c` with `file` loaded into their parameters, buffers and
// state (state only when the file has it: checkpoint.ckpt does, weights.ckpt does not).
struct Loaded {
  std::unique_ptr<models::Network> net;
  std::unique_ptr<Recipe> recipe;
};
Loaded Load(const ExperimentConfig& c, const std::string& file, bool with_state) {
  models::ModelSpec spec;
  spec.name = c.model().name();
  spec.width = c.model().width();
  spec.in_channels = 1;
  spec.num_classes = 4;
  spec.input_size = 32;
  Loaded l;
  l.net = std::move(models::Build(spec)).value();
  l.recipe = std::move(MakeRecipe(c, *l.net)).value();
  ParameterSet into = l.net->params();
  into.AddAll(l.net->buffers());
  if (with_state) into.AddAll(l.recipe->State());
  LoadOptions opt;
  opt.allow_extra = true;  // momentum buffers
  const Status s = LoadCheckpoint(file, into, nullptr, opt);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return l;
}

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

TEST(InqTrainingTest, FrozenWeightsSurviveTheLoopAndEndQuantized) {
  const std::string fp_dir = TestTmpDir("inq_fp"), a_dir = TestTmpDir("inq_a"),
                    b_dir = TestTmpDir("inq_b");
  MustRun(ParseOrFail(kFp), fp_dir, "");
  const std::string pretrained = fp_dir + "/" + kWeightsFile;
  const ExperimentConfig full = Inq(5, 0);
  const RunResult a = MustRun(full, a_dir, pretrained);
  ASSERT_FALSE(a.diverged());
  ASSERT_EQ(a.epochs_size(), 3);                              // one epoch per partition step
  const RunResult b = MustRun(Inq(5, 6), b_dir, pretrained);  // stops after stage 0
  ASSERT_EQ(b.epochs_size(), 1);

  const Loaded fp = Load(full, pretrained, false);
  const Loaded fin = Load(full, a_dir + "/" + kWeightsFile, false);
  const Loaded stage0 = Load(Inq(5, 6), b_dir + "/checkpoint.ckpt", true);
  const std::vector<double> sigma = {0.5, 0.75, 1.0};
  std::vector<int64_t> frozen(3, 0);
  int64_t all = 0, frozen_stage0 = 0;
  for (size_t i = 0; i < fin.net->layers().size(); ++i) {
    const Tensor& w0 = fp.net->layers()[i]->weight();
    const Tensor& w = fin.net->layers()[i]->weight();
    StatusOr<quant::InqCodebook> cb = quant::InqCodebookForWeights(w0, 5);  // INQ Eq. (2)
    ASSERT_TRUE(cb.ok());
    const Tensor mask0 = stage0.recipe->State().entries()[3 * i].tensor;
    const Tensor value0 = stage0.recipe->State().entries()[3 * i + 1].tensor;
    const Tensor& wb = stage0.net->layers()[i]->weight();
    for (int64_t j = 0; j < w.numel(); ++j) {
      ASSERT_EQ(w.data()[j], quant::InqQuantizeValue(w.data()[j], *cb))
          << fin.net->layers()[i]->info().name << " [" << j << "] not a level";
      if (mask0.data()[j] == 1.f) {
        ++frozen_stage0;
        ASSERT_TRUE(SameBits(wb.data()[j], value0.data()[j])) << "stage-0 run, [" << j << "]";
        ASSERT_TRUE(SameBits(w.data()[j], value0.data()[j]))
            << fin.net->layers()[i]->info().name << " [" << j << "] changed after stage 0";
      }
    }
    for (int k = 0; k < 3; ++k) frozen[k] += quant::InqFrozenCount(w.numel(), sigma[k]);
    all += w.numel();
  }
  EXPECT_EQ(frozen_stage0, frozen[0]);
  // The frozen fraction each epoch reports follows the schedule.
  for (int k = 0; k < 3; ++k) {
    const EpochRecord& e = a.epochs(k);
    EXPECT_EQ(e.stage(), k);
    ASSERT_EQ(e.metrics_size(), 1);
    EXPECT_EQ(e.metrics(0).name(), "inq_frozen_fraction");
    EXPECT_DOUBLE_EQ(e.metrics(0).value(), static_cast<double>(frozen[k]) / all) << "stage " << k;
  }
}

TEST(InqTrainingTest, BadInqFieldsAreNamed) {
  for (const auto& [field, expect] : std::vector<std::pair<std::string, std::string>>{
           {"inq { bits: 10 }", "inq.bits: 10"},
           {"inq { bits: 1 }", "inq.bits: 1"},
           {"inq { bits: 4 schedule: [0.5, 0.4, 1.0] }", "0.4"},
           {"inq { bits: 4 schedule: [0.5, 0.9] }", "0.9"},
           {"inq { bits: 4 schedule: [0.5, 1.5] }", "1.5"}}) {
    StatusOr<ExperimentConfig> c = ParseExperimentConfig(kFp + field, "bad.pbtxt");
    ASSERT_FALSE(c.ok()) << field;
    EXPECT_NE(c.status().message().find(expect), std::string::npos) << c.status().message();
    EXPECT_NE(c.status().message().find("inq"), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace moo
}  // namespace strata
