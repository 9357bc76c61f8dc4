#include "models/models.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace models {
namespace {

ModelSpec Spec(const std::string& name, double width = 1.0, int in_channels = 3,
               int num_classes = 1000, int input_size = 224) {
  ModelSpec s;
  s.name = name, s.width = width, s.in_channels = in_channels, s.num_classes = num_classes;
  s.input_size = input_size, s.seed = 1;
  return s;
}

std::unique_ptr<Network> MustBuild(const ModelSpec& spec) {
  StatusOr<std::unique_ptr<Network>> net = Build(spec);
  EXPECT_TRUE(net.ok()) << net.status().ToString();
  return std::move(net).value();
}

// torchvision 0.14's counts (torchvision.models.<name>() at default arguments); the CIFAR
// ResNet-20 count is He et al.'s 0.27M, exactly 269,722 with 10 classes.
TEST(ModelsTest, ParameterCountsEqualTorchvision) {
  EXPECT_EQ(MustBuild(Spec("resnet18"))->NumParameters(), 11689512);
  EXPECT_EQ(MustBuild(Spec("resnet34"))->NumParameters(), 21797672);
  EXPECT_EQ(MustBuild(Spec("resnet50"))->NumParameters(), 25557032);
  EXPECT_EQ(MustBuild(Spec("mobilenetv2"))->NumParameters(), 3504872);
  EXPECT_EQ(MustBuild(Spec("vgg16_bn"))->NumParameters(), 138365992);
  EXPECT_EQ(MustBuild(Spec("resnet20", 1.0, 3, 10, 32))->NumParameters(), 269722);
}

TEST(ModelsTest, LayerTableIsIndexedNamedAndMarked) {
  for (const std::string& name : ModelNames()) {
    const int size = name.find("cifar") != std::string::npos || name == "resnet20" ? 32 : 224;
    std::unique_ptr<Network> net = MustBuild(Spec(name, 0.25, 1, 10, size));
    const auto& layers = net->layers();
    ASSERT_GE(layers.size(), 3u) << name;
    std::set<std::string> names;
    for (size_t i = 0; i < layers.size(); ++i) {
      const LayerInfo& l = layers[i]->info();
      EXPECT_EQ(l.index, static_cast<int>(i)) << name;
      EXPECT_TRUE(names.insert(l.name).second) << name << ": duplicate " << l.name;
      EXPECT_EQ(l.is_first, i == 0) << name << " " << l.name;
      EXPECT_EQ(l.is_last, i + 1 == layers.size()) << name << " " << l.name;
      EXPECT_EQ(l.num_weights, layers[i]->weight().numel()) << l.name;
      EXPECT_NE(net->params().Find(l.name + ".weight"), nullptr) << l.name;
      EXPECT_EQ(net->FindLayer(l.name), layers[i]);
    }
    EXPECT_EQ(layers.front()->info().in_channels, 1) << name;
    EXPECT_EQ(layers.back()->info().kind, LayerKind::kLinear) << name;
    EXPECT_EQ(layers.back()->info().out_channels, 10) << name;
  }
}

// Every network runs forward at a small width; the output is (N, classes) and the
// gradient reaches every parameter.
TEST(ModelsTest, ForwardAndBackwardReachEveryParameter) {
  for (const std::string& name : ModelNames()) {
    const bool cifar = name.find("cifar") != std::string::npos || name == "resnet20" ||
                       name == "resnet32" || name == "resnet56" || name.find("vgg") == 0;
    const int size = cifar ? 32 : 64;
    std::unique_ptr<Network> net = MustBuild(Spec(name, 0.125, 1, 7, size));
    Tensor x = Tensor::Zeros({2, 1, size, size});
    for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = std::sin(0.37f * i);
    ForwardContext ctx;
    ctx.training = true;
    Tensor logits = net->Forward(x, ctx);
    ASSERT_EQ(logits.shape(), Shape({2, 7})) << name;
    Backward({CrossEntropy(logits, {1, 5})});
    for (const NamedTensor& p : net->params().entries()) {
      ASSERT_TRUE(p.tensor.grad().defined()) << name << ": no gradient for " << p.name;
    }
  }
}

TEST(ModelsTest, ResNet20LayerTableAndTopology) {
  std::unique_ptr<Network> net = MustBuild(Spec("resnet20", 0.25, 1, 10, 32));
  // conv1 + 3 stages x 3 blocks x 2 convs + fc; option A adds no layer.
  ASSERT_EQ(net->layers().size(), 20u);
  const LayerInfo& first = net->layers()[0]->info();
  EXPECT_EQ(first.name, "conv1");
  EXPECT_EQ(first.out_channels, 4);
  const LayerInfo& down = net->FindLayer("layer2.0.conv1")->info();
  EXPECT_EQ(down.stride, 2);
  EXPECT_EQ(down.in_h, 32);
  EXPECT_EQ(down.out_h, 16);
  EXPECT_EQ(down.fan_in, 4 * 9);
  const std::vector<TopologyRow> rows = Topology(*net);
  ASSERT_EQ(rows.size(), 20u);
  // 3x3/2 pad 1 on 32x32 -> 16x16: SCALE-Sim needs the touched extent 15 * 2 + 3 = 33.
  EXPECT_EQ(rows[7].name, "layer2.0.conv1");
  EXPECT_EQ(rows[7].ifmap_h, 33);
  EXPECT_EQ(rows[0].ifmap_h, 34);  // 3x3/1 pad 1: 32 + 2
  const std::string csv = TopologyCsv(rows);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
            "Num Filter, Strides,");
  EXPECT_NE(csv.find("\nconv1, 34, 34, 3, 3, 1, 4, 1,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nfc, 1, 1, 1, 1, 16, 10, 1,\n"), std::string::npos) << csv;
}

TEST(ModelsTest, TopologyMarksDepthwiseAndMatchesTorchvisionShapes) {
  std::unique_ptr<Network> net = MustBuild(Spec("mobilenetv2"));
  const std::vector<TopologyRow> rows = Topology(*net);
  EXPECT_EQ(rows[0].ifmap_h, 225);  // 3x3/2 pad 1 on 224 -> 112: (112-1)*2 + 3
  EXPECT_EQ(rows[1].name, "features.1.conv.0.0.DP");
  EXPECT_EQ(rows[1].channels, 32);
  EXPECT_EQ(rows[1].num_filter, 1);
  EXPECT_EQ(net->layers()[1]->info().kind, LayerKind::kDepthwise);
  EXPECT_EQ(net->layers()[52]->info().name, "classifier.1");
  std::unique_ptr<Network> r18 = MustBuild(Spec("resnet18"));
  EXPECT_EQ(r18->FindLayer("layer4.0.downsample.0")->info().in_h, 14);
  EXPECT_EQ(r18->FindLayer("layer4.0.downsample.0")->info().out_h, 7);
  // HWSIM.md §6's worked layer: "layer4.0.downsample,13,13,1,1,256,512,2,".
  const TopologyRow down = Topology(*r18)[r18->FindLayer("layer4.0.downsample.0")->info().index];
  EXPECT_EQ(down.name, "layer4.0.downsample.0");
  EXPECT_EQ(std::vector<int>({down.ifmap_h, down.ifmap_w, down.filter_h, down.filter_w,
                              down.channels, down.num_filter, down.stride}),
            std::vector<int>({13, 13, 1, 1, 256, 512, 2}));
  const LayerInfo& stem = r18->layers()[0]->info();
  EXPECT_EQ(stem.kernel, 7);
  EXPECT_EQ(stem.out_h, 112);
}

TEST(ModelsTest, SmallVggsKeepFiveAndEightConvs) {
  auto count_convs = [](const Network& n) {
    int c = 0;
    for (const Layer* l : n.layers()) c += l->info().kind == LayerKind::kConv;
    return c;
  };
  EXPECT_EQ(count_convs(*MustBuild(Spec("vgg16_bn_small5", 0.125, 1, 10, 32))), 5);
  EXPECT_EQ(count_convs(*MustBuild(Spec("vgg16_bn_small8", 0.125, 1, 10, 32))), 8);
  EXPECT_EQ(count_convs(*MustBuild(Spec("vgg16_bn", 0.125, 1, 10, 32))), 13);
  // 224: small5 ends at 28x28 (pool 4 -> 7x7), small8 at 14x14.
  std::unique_ptr<Network> s5 = MustBuild(Spec("vgg16_bn_small5", 0.125, 3, 10, 224));
  EXPECT_EQ(s5->FindLayer("classifier.0")->info().in_channels, 32 * 7 * 7);
}

class CountingHooks : public QuantHooks {
 public:
  Tensor Weight(const Layer& layer, const Tensor& w, const ForwardContext&) override {
    weights.push_back(layer.info().index);
    return Scale(w, 0.f);  // a "quantizer" that zeroes every weight
  }
  Tensor Input(const Layer& layer, const Tensor& x, const ForwardContext&) override {
    inputs.push_back(layer.info().index);
    return x;
  }
  std::vector<int> weights, inputs;
};

TEST(ModelsTest, HooksSeeEveryLayerInOrderAndChangeTheResult) {
  std::unique_ptr<Network> net = MustBuild(Spec("resnet20", 0.25, 1, 10, 32));
  Tensor x = Tensor::Full({2, 1, 32, 32}, 0.5f);
  ForwardContext ctx;
  const std::vector<float> fp = net->Forward(x, ctx).ToVector();
  CountingHooks hooks;
  ctx.hooks = &hooks;
  const std::vector<float> q = net->Forward(x, ctx).ToVector();
  ASSERT_EQ(hooks.weights.size(), net->layers().size());
  for (size_t i = 0; i < hooks.weights.size(); ++i) EXPECT_EQ(hooks.weights[i], (int)i);
  EXPECT_EQ(hooks.inputs, hooks.weights);
  EXPECT_NE(fp, q);
  // Every weight zeroed: the logits are the classifier's bias.
  const std::vector<float> bias = net->layers().back()->bias().ToVector();
  for (size_t i = 0; i < q.size(); ++i) EXPECT_EQ(q[i], bias[i % 10]) << i;
}

TEST(ModelsTest, BnVariantsAreSeparate) {
  ModelSpec spec = Spec("resnet20", 0.25, 1, 10, 32);
  const int64_t one = MustBuild(spec)->NumParameters();
  spec.bn_variants = 3;
  std::unique_ptr<Network> net = MustBuild(spec);
  int64_t bn_params = 0;
  for (const Norm* n : net->norms()) bn_params += 2 * n->bn(0).weight.numel();
  EXPECT_EQ(net->NumParameters(), one + 2 * bn_params);
  EXPECT_NE(net->params().Find("layer1.0.bn1.v2.weight"), nullptr);
  // Training variant 1 moves only variant 1's running statistics.
  Tensor x = Tensor::Full({2, 1, 32, 32}, 0.5f);
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = std::cos(0.1f * i);
  ForwardContext ctx;
  ctx.training = true, ctx.variant = 1;
  net->Forward(x, ctx);
  EXPECT_EQ(net->norms()[0]->bn(0).running_mean.ToVector(), std::vector<float>(4, 0.f));
  EXPECT_NE(net->norms()[0]->bn(1).running_mean.ToVector(), std::vector<float>(4, 0.f));
}

TEST(ModelsTest, InitIsAPureFunctionOfSeed) {
  ModelSpec spec = Spec("mobilenetv2_cifar", 0.25, 1, 10, 32);
  const std::string a = ParameterDigest(MustBuild(spec)->params());
  EXPECT_EQ(a, ParameterDigest(MustBuild(spec)->params()));
  spec.seed = 2;
  EXPECT_NE(a, ParameterDigest(MustBuild(spec)->params()));
}

TEST(ModelsTest, BadSpecsAreStatusesNamingFieldAndValue) {
  auto error = [](const ModelSpec& spec) {
    StatusOr<std::unique_ptr<Network>> net = Build(spec);
    EXPECT_FALSE(net.ok());
    return net.ok() ? std::string() : net.status().ToString();
  };
  EXPECT_NE(error(Spec("resnet21")).find("model.name: unknown model 'resnet21' (known: resnet20"),
            std::string::npos);
  EXPECT_NE(error(Spec("resnet20", 0)).find("model.width: 0 must be in (0, 8]"), std::string::npos);
  EXPECT_NE(error(Spec("resnet20", -1)).find("model.width: -1"), std::string::npos);
  EXPECT_NE(error(Spec("resnet20", std::nan(""))).find("model.width: nan"), std::string::npos);
  EXPECT_NE(error(Spec("resnet20", 1, 0)).find("model.in_channels: 0"), std::string::npos);
  EXPECT_NE(error(Spec("resnet20", 1, 1, 0)).find("model.num_classes: 0"), std::string::npos);
  EXPECT_NE(error(Spec("vgg16_bn", 0.125, 3, 10, 16)).find("pooling window gets a 1x1 input"),
            std::string::npos);
  EXPECT_NE(error(Spec("vgg16_bn", 0.125, 3, 10, 300)).find("final 9x9 feature map"),
            std::string::npos);
}

}  // namespace
}  // namespace models
}  // namespace strata
