// Checkpoint round trip and every bad-file case: truncation at any length, another
// version, not a checkpoint, missing/unexpected names, other shapes, missing file.
#include "engine/checkpoint.h"

#include <cstdlib>

#include "engine/autograd.h"
#include "engine/file_util.h"
#include "engine/gradcheck.h"
#include "engine/optim.h"
#include "engine/test_net.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

struct Model {
  nn::Conv2d conv{"conv", 3, 4, 3, {}, 1};
  nn::BatchNorm2d bn{"bn", 4};
  ParameterSet all;
  Model() {
    ParameterSet params, buffers;
    conv.Register(&params);
    bn.Register(&params, &buffers);
    all.AddAll(params);
    all.AddAll(buffers);
  }
};

TEST(Checkpoint, RoundTripRestoresTensorsAndCounters) {
  Model a;
  a.bn.running_mean.data()[2] = 0.25f;
  Sgd sgd({0.9f});
  sgd.AddGroup(a.all.Filter([](const std::string& n) { return n == "conv.weight"; }));
  sgd.StateTensors().entries()[0].tensor.data()[5] = 3.f;
  ParameterSet saved = a.all;
  saved.AddAll(sgd.StateTensors());
  const std::string path = TempPath("round_trip.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, saved, {{"step", 42}, {"sgd.steps", 7}}).ok());

  Model b{};
  b.conv.weight.data()[0] += 1.f;
  Sgd sgd_b({0.9f});
  sgd_b.AddGroup(b.all.Filter([](const std::string& n) { return n == "conv.weight"; }));
  ParameterSet into = b.all;
  into.AddAll(sgd_b.StateTensors());
  std::map<std::string, int64_t> counters;
  const Status s = LoadCheckpoint(path, into, &counters);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ParameterDigest(into), ParameterDigest(saved));
  EXPECT_EQ(counters["step"], 42);
  EXPECT_EQ(counters["sgd.steps"], 7);
}

TEST(Checkpoint, EveryTruncationIsDataLossNamingTheFile) {
  Model a;
  const std::string path = TempPath("full.ckpt"), cut = TempPath("cut.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, a.all, {{"step", 1}}).ok());
  const std::string bytes = ReadFile(path).value();
  for (size_t n = 0; n < bytes.size(); n += (n < 64 || n + 80 > bytes.size()) ? 1 : 37) {
    ASSERT_TRUE(WriteFileAtomic(cut, bytes.substr(0, n)).ok());
    const Status s = LoadCheckpoint(cut, a.all, nullptr);
    ASSERT_FALSE(s.ok()) << "truncated to " << n << " of " << bytes.size() << " bytes loaded";
    EXPECT_NE(s.message().find(cut), std::string::npos) << s.ToString();
  }
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  ASSERT_TRUE(WriteFileAtomic(cut, flipped).ok());
  EXPECT_FALSE(LoadCheckpoint(cut, a.all, nullptr).ok());
}

TEST(Checkpoint, MismatchesAreReportedAndNothingIsOverwritten) {
  Model a;
  const std::string path = TempPath("a.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, a.all).ok());
  // Other shape.
  nn::Conv2d wide("conv", 3, 5, 3, {}, 1);
  ParameterSet other;
  wide.Register(&other);
  const float before = wide.weight.data()[0];
  Status s = LoadCheckpoint(path, other, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("'conv.weight' has shape (4, 3, 3, 3), expected (5, 3, 3, 3)"),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(wide.weight.data()[0], before);
  // Missing name.
  ParameterSet more = a.all;
  more.Add("extra", Tensor::Zeros({2}));
  s = LoadCheckpoint(path, more, nullptr);
  EXPECT_NE(s.message().find("tensor 'extra' missing"), std::string::npos) << s.ToString();
  // Unexpected name.
  s = LoadCheckpoint(path, a.all.Filter([](const std::string& n) { return n != "bn.bias"; }),
                     nullptr);
  EXPECT_NE(s.message().find("unexpected tensor 'bn.bias'"), std::string::npos) << s.ToString();
  // ... accepted on request (a subset loads; a missing name is still an error).
  Model b;
  b.conv.weight.data()[0] += 1.f;
  LoadOptions subset;
  subset.allow_extra = true;
  ASSERT_TRUE(LoadCheckpoint(path, b.all.Filter([](const std::string& n) {
    return n == "conv.weight";
  }), nullptr, subset).ok());
  EXPECT_EQ(b.conv.weight.data()[0], a.conv.weight.data()[0]);
  EXPECT_NE(LoadCheckpoint(path, more, nullptr, subset).message().find("tensor 'extra' missing"),
            std::string::npos);
  // Missing file.
  s = LoadCheckpoint(TempPath("nope.ckpt"), a.all, nullptr);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nope.ckpt"), std::string::npos) << s.ToString();
}

TEST(Checkpoint, OtherVersionAndOtherMagic) {
  Model a;
  const std::string path = TempPath("v.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, a.all).ok());
  std::string bytes = ReadFile(path).value();
  // Field 2 (version, varint) follows the 19-byte magic field: 0x12 len "strata.checkpoint".
  const size_t at = bytes.find(std::string("\x10\x01", 2));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = 0x02;
  ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
  Status s = LoadCheckpoint(path, a.all, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("checkpoint version 2, this build reads 1"), std::string::npos)
      << s.ToString();
  ASSERT_TRUE(WriteFileAtomic(path,
                              "\x0a\x03"
                              "abc")
                  .ok());
  s = LoadCheckpoint(path, a.all, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("not a strata checkpoint"), std::string::npos) << s.ToString();
}

// Training resumed from a checkpoint continues bit-exactly (DESIGN.md: "checkpoint (atomic,
// resumable bit-exactly)"): parameters, BN statistics, momentum buffers and the step
// counter are all the state a step reads.
struct Trainer {
  TestResNet net{8, 3};
  Sgd sgd{SgdOptions{0.9f, 0.f, false, 5e-4f, false}};
  ParameterSet state;
  Trainer() {
    sgd.AddGroup(net.params);
    state = net.params;
    state.AddAll(net.buffers);
    state.AddAll(sgd.StateTensors());
  }
  void Steps(int from, int to) {
    for (int step = from; step < to; ++step) {
      const Tensor x = RandomTensor({4, 3, 9, 9}, 5, step, -1.f, 1.f, false);
      net.params.ZeroGrads();
      Backward({CrossEntropy(net.Forward(x), {1, 2, 3, step % 10})});
      sgd.Step(0.1f);
    }
  }
};

TEST(Checkpoint, ResumedTrainingIsBitIdentical) {
  Trainer straight, first_half;
  straight.Steps(0, 4);
  first_half.Steps(0, 2);
  const std::string path = TempPath("resume.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, first_half.state, {{"sgd.steps", first_half.sgd.steps()}}).ok());
  Trainer resumed;
  std::map<std::string, int64_t> counters;
  ASSERT_TRUE(LoadCheckpoint(path, resumed.state, &counters).ok());
  resumed.sgd.set_steps(counters["sgd.steps"]);
  resumed.Steps(2, 4);
  EXPECT_EQ(ParameterDigest(resumed.state), ParameterDigest(straight.state));
}

}  // namespace
}  // namespace strata
