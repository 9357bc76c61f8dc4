// Loader throughput: Fashion-MNIST (28x28 padded to 32x32) with CIFAR-style pad-4 random
// crop + flip + normalize, batch 128. The bar (issue [datasets]): >= 20,000 images/s on one
// thread (prefetch_threads = 0: everything happens in Next()), so data never limits
// training. Falls back to a synthetic set of the same shape when Debian's
// dataset-fashion-mnist is absent (the label says which).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>

#include "datasets/datasets.h"

namespace strata {
namespace datasets {
namespace {

struct Source {
  std::unique_ptr<Dataset> dataset;
  const char* label;
};

const Source& FashionMnistOrSynthetic() {
  static const Source* source = [] {
    DatasetConfig config;
    config.set_kind(DatasetConfig::FASHION_MNIST);
    config.set_split(DatasetConfig::TRAIN);
    auto ds = Open(config);
    if (ds.ok()) return new Source{std::move(ds).value(), "fashion-mnist/train"};
    std::fprintf(stderr, "%s; using a synthetic set\n", ds.status().ToString().c_str());
    auto synth = ParseDatasetConfig(
        "kind: SYNTHETIC split: TRAIN synthetic { num_examples: 60000 num_classes: 10 "
        "channels: 1 height: 28 width: 28 seed: 1 }");
    return new Source{Open(*synth).value(), "synthetic 60000x1x28x28"};
  }();
  return *source;
}

// Arg: prefetch threads (0 = synchronous, one thread).
void BM_FashionMnistPadCropFlip(benchmark::State& state) {
  const Source& source = FashionMnistOrSynthetic();
  LoaderOptions opt;
  opt.batch_size = 128;
  opt.seed = 1;
  opt.prefetch_threads = static_cast<int>(state.range(0));
  auto loader = Loader::Create(
      source.dataset.get(), CifarStyle(/*train=*/true, /*pad_to_32=*/true, kFashionMnistNorm), opt);
  if (!loader.ok()) {
    state.SkipWithError(loader.status().ToString().c_str());
    return;
  }
  int64_t epoch = 0, images = 0;
  (*loader)->StartEpoch(epoch);
  Batch batch;
  for (auto _ : state) {
    auto more = (*loader)->Next(&batch);
    if (more.ok() && !*more) {
      (*loader)->StartEpoch(++epoch);
      more = (*loader)->Next(&batch);
    }
    if (!more.ok()) {
      state.SkipWithError(more.status().ToString().c_str());
      return;
    }
    images += batch.n;
    benchmark::DoNotOptimize(batch.images.data());
  }
  state.SetItemsProcessed(images);
  state.SetLabel(source.label);
}
BENCHMARK(BM_FashionMnistPadCropFlip)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// The per-sample transform alone (no batching, no dataset copy): pad-to-32 + crop + flip +
// normalize of one 28x28 image.
void BM_PadCropFlipOneSample(benchmark::State& state) {
  const Source& source = FashionMnistOrSynthetic();
  const Pipeline pipeline = CifarStyle(true, true, kFashionMnistNorm);
  Image image;
  if (!source.dataset->Get(0, &image).ok()) return state.SkipWithError("Get(0) failed");
  Pipeline::Scratch scratch;
  float out[32 * 32];
  int64_t index = 0;
  for (auto _ : state) {
    pipeline.Run(image, 1, 0, index++, &scratch, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(index);
}
BENCHMARK(BM_PadCropFlipOneSample);

}  // namespace
}  // namespace datasets
}  // namespace strata

BENCHMARK_MAIN();
