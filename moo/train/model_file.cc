// A trained once-QAT run to the vertical-layered model file and back (model_file.h).
#include "moo/train/model_file.h"

#include <cstring>
#include <map>
#include <set>

#include "datasets/datasets.h"
#include "moo/train/data.h"
#include "moo/train/evaluate.h"
#include "moo/train/model.h"
#include "moo/train/proto_json.h"
#include "moo/train/trainer.h"

namespace strata {
namespace moo {
namespace {

constexpr char kConfigTensor[] = "strata.experiment_config";

// The network of a model file's embedded config (model fields resolved), one BN variant,
// sized by its test set's batches.
StatusOr<std::unique_ptr<models::Network>> BuildNet(const ExperimentConfig& c) {
  STRATA_ASSIGN_OR_RETURN(EvalSet test, OpenEvalSet(c, c.test_data(), "test_data"));
  InputShape in;
  in.channels = test.loader->channels();
  in.input_size = test.loader->height();
  // An exported file's config has them resolved; else the test set's classes.
  in.train_classes =
      c.model().num_classes() > 0 ? c.model().num_classes() : test.data->num_classes();
  in.test_classes = test.data->num_classes();
  STRATA_ASSIGN_OR_RETURN(models::ModelSpec spec, ModelSpecFor(c, in));
  spec.bn_variants = 1;
  return models::Build(spec);
}

// Every parameter and buffer of BN variant v of each site, keyed by variant 0's name.
std::vector<std::pair<std::string, Tensor>> BnTensors(const models::Network& net, int v) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const models::Norm* n : net.norms()) {
    const nn::BatchNorm2d& bn = n->bn(v);
    const std::string base = n->bn(0).name;
    out.emplace_back(base + ".weight", bn.weight);
    out.emplace_back(base + ".bias", bn.bias);
    out.emplace_back(base + ".running_mean", bn.running_mean);
    out.emplace_back(base + ".running_var", bn.running_var);
  }
  return out;
}

quant::VlTensor ToVl(const std::string& name, const Tensor& t) {
  return {name, t.shape(), std::vector<float>(t.data(), t.data() + t.numel())};
}

Status CopyInto(const quant::VlTensor& src, const Tensor& dst) {
  if (static_cast<int64_t>(src.values.size()) != dst.numel() || src.shape != dst.shape()) {
    return InvalidArgumentError("model file tensor '" + src.name + "': shape " +
                                ShapeStr(src.shape) + " does not fit the network's " +
                                ShapeStr(dst.shape()));
  }
  std::memcpy(dst.data(), src.values.data(), src.values.size() * sizeof(float));
  return Status::Ok();
}

// x̂ = LSQ(x) with the file's step and signedness per quantized layer (Eq. 1); weights pass
// through (the layers already hold ŵ_b).
class FileHooks : public models::QuantHooks {
 public:
  FileHooks(int bits, std::map<int, std::pair<Tensor, bool>> steps)
      : bits_(bits), steps_(std::move(steps)) {}
  Tensor Input(const models::Layer& layer, const Tensor& x,
               const models::ForwardContext&) override {
    auto it = steps_.find(layer.info().index);
    if (it == steps_.end()) return x;
    const quant::QuantRange r =
        it->second.second ? quant::SignedRange(bits_) : quant::UnsignedRange(bits_);
    return quant::LsqQuantize(x, it->second.first, r, quant::LsqActivationGradScale(x, r));
  }

 private:
  int bits_;
  std::map<int, std::pair<Tensor, bool>> steps_;  // layer index -> (step, signed)
};

}  // namespace

StatusOr<OnceQatRun> LoadOnceQatRun(const std::string& run_dir) {
  const std::string result_path = run_dir + "/result.pb";
  const std::string weights_path = run_dir + "/" + kWeightsFile;
  StatusOr<LoadedRun> loaded = LoadRun(run_dir);
  if (!loaded.ok()) return loaded.status();
  OnceQatRun run;
  run.config = loaded->config;
  if (!run.config.has_once_qat()) {
    return InvalidArgumentError(result_path + ": run '" + run.config.name() +
                                "' is not a once_qat run (no vertical-layered model to export)");
  }
  run.net = std::move(loaded->net);
  run.recipe_owner = std::move(loaded->recipe);
  run.recipe = dynamic_cast<OnceQatRecipe*>(run.recipe_owner.get());
  CHECK(run.recipe != nullptr) << "MakeRecipe(once_qat) must make a OnceQatRecipe";
  // The activation ranges come with the weights (once_qat.h): the model is ready to evaluate.
  const OnceQatOptions& o = run.recipe->options();
  for (int b = o.basic_bits; b <= o.source_bits; ++b) {
    if (!run.recipe->activation_steps().initialised(b - o.basic_bits)) {
      return FailedPreconditionError(weights_path + ": a_step.flags: the activation steps of " +
                                     WidthName(b) +
                                     " were never set (the run took no training step)");
    }
  }
  return run;
}

StatusOr<quant::VlModel> ExportVlModel(const OnceQatRun& run) {
  const OnceQatOptions& o = run.recipe->options();
  // The file holds one BN per width and shared FP first/last layers (DESIGN.md); the
  // Table 4 / Table 8 ablations store BN or end layers otherwise.
  if (o.bn != BnMode::kIndividual) {
    return UnimplementedError("run '" + run.config.name() +
                              "': once_qat.bn is not INDIVIDUAL; the vertical-layered model "
                              "file stores one BN per bit-width");
  }
  if (o.per_bit_ends) {
    return UnimplementedError("run '" + run.config.name() +
                              "': once_qat.per_bit_first_last is set; the vertical-layered "
                              "model file stores shared FP first/last layers");
  }
  quant::VlModel m;
  m.source_bits = o.source_bits, m.basic_bits = o.basic_bits, m.bits = o.source_bits;
  m.compensation = o.compensation;
  std::set<std::string> quantized, bn;
  const std::vector<int>& layers = run.recipe->quantized_layers();
  for (size_t q = 0; q < layers.size(); ++q) {
    const models::Layer& l = *run.net->layers()[layers[q]];
    const float s_w = run.recipe->source_step(static_cast<int>(q)).data()[0];
    m.layers.push_back({l.info().name + ".weight", l.weight().shape(), s_w,
                        quant::VerticalCodes(l.weight(), s_w, o.source_bits, o.source_bits)});
    quantized.insert(m.layers.back().name);
  }
  for (int v = 0; v < o.num_widths(); ++v) {
    for (const models::Norm* n : run.net->norms()) bn.insert(n->bn(v).name);
  }
  for (const NamedTensor& p : run.net->params().entries()) {
    if (quantized.count(p.name) || bn.count(p.name.substr(0, p.name.rfind('.')))) continue;
    m.fp_tensors.push_back(ToVl(p.name, p.tensor));
  }
  const std::string config = DeterministicBinary(run.config);
  std::vector<float> config_bytes;
  for (unsigned char ch : config) config_bytes.push_back(static_cast<float>(ch));
  m.fp_tensors.push_back(
      {kConfigTensor, {static_cast<int64_t>(config.size())}, std::move(config_bytes)});
  for (int b = o.basic_bits; b <= o.source_bits; ++b) {
    std::vector<quant::VlTensor>& t = m.per_bits[b];
    for (const auto& [name, tensor] : BnTensors(*run.net, b - o.basic_bits)) {
      t.push_back(ToVl(name, tensor));
    }
    for (size_t q = 0; q < layers.size(); ++q) {
      const std::string& name = run.net->layers()[layers[q]]->info().name;
      t.push_back(ToVl(name + ".act_step", run.recipe->act_step(b, static_cast<int>(q))));
      const bool s = run.recipe->act_signed(b, static_cast<int>(q));
      t.push_back({name + ".act_signed", {1}, {s ? 1.f : 0.f}});
    }
  }
  STRATA_RETURN_IF_ERROR(quant::ValidateVlModel(m));
  return m;
}

models::ForwardContext VlNetwork::Context() const {
  models::ForwardContext ctx;
  ctx.hooks = hooks.get();
  return ctx;
}

StatusOr<VlNetwork> BuildFromVlModel(const quant::VlModel& m) {
  VlNetwork out;
  out.bits = m.bits;
  std::map<std::string, const quant::VlTensor*> fp;
  for (const quant::VlTensor& t : m.fp_tensors) fp[t.name] = &t;
  auto cfg = fp.find(kConfigTensor);
  if (cfg == fp.end()) {
    return InvalidArgumentError(std::string("model file: no '") + kConfigTensor +
                                "' tensor (not exported by //reports:vlmodel)");
  }
  std::string bytes;
  for (float v : cfg->second->values) {
    if (!(v >= 0.f && v <= 255.f)) return DataLossError("model file: bad config byte");
    bytes.push_back(static_cast<char>(static_cast<unsigned char>(v)));
  }
  if (!out.config.ParseFromString(bytes)) {
    return DataLossError(std::string("model file: '") + kConfigTensor + "' is not a config");
  }
  STRATA_ASSIGN_OR_RETURN(out.net, BuildNet(out.config));
  std::map<std::string, const quant::VlTensor*> width;
  for (const quant::VlTensor& t : m.per_bits.at(m.bits)) width[t.name] = &t;
  std::map<int, std::pair<Tensor, bool>> steps;
  std::map<std::string, const quant::VlLayer*> codes;
  for (const quant::VlLayer& l : m.layers) codes[l.name] = &l;
  for (const models::Layer* l : out.net->layers()) {
    auto c = codes.find(l->info().name + ".weight");
    if (c == codes.end()) continue;
    STRATA_RETURN_IF_ERROR(
        CopyInto(ToVl(c->first, quant::DequantizeLayer(m, *c->second)), l->weight()));
    auto s = width.find(l->info().name + ".act_step");
    auto g = width.find(l->info().name + ".act_signed");
    if (s == width.end() || g == width.end()) {
      return InvalidArgumentError("model file: no activation step for layer '" + l->info().name +
                                  "' at " + std::to_string(m.bits) + " bits");
    }
    steps[l->info().index] = {Tensor::FromVector({1}, s->second->values),
                              g->second->values.at(0) != 0.f};
  }
  for (const NamedTensor& p : out.net->params().entries()) {
    if (codes.count(p.name)) continue;
    const quant::VlTensor* src = fp.count(p.name)      ? fp[p.name]
                                 : width.count(p.name) ? width[p.name]
                                                       : nullptr;
    if (src == nullptr) {
      return InvalidArgumentError("model file: no tensor for parameter '" + p.name + "'");
    }
    STRATA_RETURN_IF_ERROR(CopyInto(*src, p.tensor));
  }
  for (const NamedTensor& b : out.net->buffers().entries()) {
    auto f = width.find(b.name);
    if (f == width.end()) return InvalidArgumentError("model file: no tensor for '" + b.name + "'");
    STRATA_RETURN_IF_ERROR(CopyInto(*f->second, b.tensor));
  }
  out.hooks = std::make_unique<FileHooks>(m.bits, std::move(steps));
  return out;
}

int64_t QuantizedWeightBits(const quant::VlModel& m, int bits) {
  int64_t total = 0;
  for (const quant::VlLayer& l : m.layers) total += NumElements(l.shape) * bits;
  return total;
}

int64_t FpTensorBits(const quant::VlModel& m) {
  int64_t total = 0;
  for (const quant::VlTensor& t : m.fp_tensors) {
    if (t.name != kConfigTensor) total += static_cast<int64_t>(t.values.size()) * 32;
  }
  return total;
}

StatusOr<VlFileEval> EvaluateVlModelFile(const std::string& path,
                                         const quant::VlReadOptions& options) {
  VlFileEval out;
  STRATA_ASSIGN_OR_RETURN(out.model, quant::ReadVlModel(path, options));
  STRATA_ASSIGN_OR_RETURN(VlNetwork net, BuildFromVlModel(out.model));
  STRATA_ASSIGN_OR_RETURN(out.eval, EvaluateTestSet(net.config, *net.net, net.Context()));
  return out;
}

}  // namespace moo
}  // namespace strata
