#include "datasets/loader.h"

#include <algorithm>
#include <numeric>

#include "datasets/dataset.h"
#include "datasets/in_memory.h"
#include "engine/file_util.h"
#include "gtest/gtest.h"

namespace strata {
namespace datasets {
namespace {

std::unique_ptr<Dataset> Synthetic(int n, const std::string& extra = "") {
  auto config = ParseDatasetConfig(
      "kind: SYNTHETIC split: TRAIN synthetic { num_examples: " + std::to_string(n) +
      " num_classes: 5 channels: 1 height: 28 width: 28 seed: 11 } " + extra);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  auto ds = Open(*config);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return std::move(ds).value();
}

std::vector<Batch> Epoch(const Dataset& ds, LoaderOptions opt, int64_t epoch) {
  auto loader = Loader::Create(&ds, CifarStyle(true, true, kFashionMnistNorm), opt);
  EXPECT_TRUE(loader.ok()) << loader.status().ToString();
  (*loader)->StartEpoch(epoch);
  std::vector<Batch> out;
  Batch b;
  for (;;) {
    auto more = (*loader)->Next(&b);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.push_back(b);
  }
  return out;
}

bool SameBytes(const std::vector<Batch>& a, const std::vector<Batch>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].images != b[i].images || a[i].labels != b[i].labels || a[i].indices != b[i].indices ||
        a[i].n != b[i].n) {
      return false;
    }
  }
  return true;
}

TEST(Loader, SameSeedSameBytesForEveryPrefetchSetting) {
  const auto ds = Synthetic(203);
  LoaderOptions opt;
  opt.batch_size = 16;
  opt.seed = 5;
  const std::vector<Batch> sync = Epoch(*ds, opt, 3);
  ASSERT_EQ(sync.size(), 13u);  // 12 full + 1 partial
  EXPECT_EQ(sync.back().n, 203 - 12 * 16);
  EXPECT_EQ(sync[0].c, 1);
  EXPECT_EQ(sync[0].h, 32);
  EXPECT_EQ(sync[0].images.size(), 16u * 32 * 32);
  EXPECT_TRUE(SameBytes(sync, Epoch(*ds, opt, 3))) << "second run";
  for (int threads : {1, 2, 3}) {
    for (int depth : {1, 4}) {
      opt.prefetch_threads = threads;
      opt.prefetch_depth = depth;
      EXPECT_TRUE(SameBytes(sync, Epoch(*ds, opt, 3))) << threads << " threads, depth " << depth;
    }
  }
}

// Across runs, builds and machines: the bytes of a batch are pinned. A change here changes
// every training run's input; update the constant only on purpose (and say so).
TEST(Loader, BatchBytesArePinnedAcrossRuns) {
  const auto ds = Synthetic(40);
  EXPECT_EQ(ds->digest(), "904cd968c79b4af0ff1974c46d527e5a207f7c0cef3f0b2d8a11955295998250");
  LoaderOptions opt;
  opt.batch_size = 16;
  opt.seed = 2026;
  const std::vector<Batch> batches = Epoch(*ds, opt, 1);
  const Batch& b = batches[1];
  std::string bytes(reinterpret_cast<const char*>(b.images.data()), b.images.size() * 4);
  for (int64_t i : b.indices) bytes += std::to_string(i) + ",";
  EXPECT_EQ(Sha256Hex(bytes), "825362adf5792062194ce0524bba0355ca6a5ad3679f930b22c2d59d40ba1db6");
}

TEST(Loader, EachEpochIsAPermutationAndEpochsDiffer) {
  const auto ds = Synthetic(100);
  LoaderOptions opt;
  opt.batch_size = 10;
  opt.seed = 1;
  std::vector<int64_t> previous;
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> order;
    for (const Batch& b : Epoch(*ds, opt, epoch)) {
      order.insert(order.end(), b.indices.begin(), b.indices.end());
      for (int k = 0; k < b.n; ++k) EXPECT_EQ(b.labels[k], ds->label(b.indices[k]));
    }
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> all(100);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(sorted, all) << "epoch " << epoch;
    EXPECT_NE(order, previous) << "epoch " << epoch;
    previous = order;
  }
  opt.shuffle = false;
  const std::vector<Batch> plain = Epoch(*ds, opt, 0);
  EXPECT_EQ(plain[1].indices[0], 10);
}

TEST(Loader, DropLastAndMakeBatchAgreeWithNext) {
  const auto ds = Synthetic(50);
  LoaderOptions opt;
  opt.batch_size = 16;
  opt.drop_last = true;
  opt.prefetch_threads = 2;
  const std::vector<Batch> batches = Epoch(*ds, opt, 4);
  ASSERT_EQ(batches.size(), 3u);
  auto loader = Loader::Create(ds.get(), CifarStyle(true, true, kFashionMnistNorm), opt);
  ASSERT_TRUE(loader.ok());
  EXPECT_EQ((*loader)->batches_per_epoch(), 3);
  Batch b;
  ASSERT_TRUE((*loader)->MakeBatch(4, 2, &b).ok());
  EXPECT_EQ(b.images, batches[2].images);
  EXPECT_EQ(b.indices, batches[2].indices);
}

TEST(Loader, RestartingAnEpochMidwayAndDestroyingWhilePrefetchingAreSafe) {
  const auto ds = Synthetic(200);
  LoaderOptions opt;
  opt.batch_size = 8;
  opt.prefetch_threads = 2;
  auto loader = Loader::Create(ds.get(), CifarStyle(true, true, kFashionMnistNorm), opt);
  ASSERT_TRUE(loader.ok());
  Batch first, again;
  (*loader)->StartEpoch(0);
  ASSERT_TRUE((*loader)->Next(&first).ok());
  ASSERT_TRUE((*loader)->Next(&again).ok());
  (*loader)->StartEpoch(0);
  ASSERT_TRUE((*loader)->Next(&again).ok());
  EXPECT_EQ(first.images, again.images);
  (*loader)->StartEpoch(1);  // destroyed with workers mid-epoch
}

TEST(Loader, SubsetsAndDigests) {
  const auto full = Synthetic(100);
  const auto first = Synthetic(100, "first_k_per_class { k: 3 }");
  const auto random = Synthetic(100, "random_k { k: 30 seed: 4 }");
  const auto random_again = Synthetic(100, "random_k { k: 30 seed: 4 }");
  const auto random_other = Synthetic(100, "random_k { k: 30 seed: 5 }");
  ASSERT_EQ(first->size(), 15);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(first->label(i), i % 5);  // labels cycle 0..4
  ASSERT_EQ(random->size(), 30);
  EXPECT_EQ(random->digest(), random_again->digest());
  EXPECT_NE(random->digest(), random_other->digest());
  EXPECT_NE(random->digest(), full->digest());
  EXPECT_NE(first->digest(), full->digest());
  Image a, b;
  ASSERT_TRUE(random->Get(7, &a).ok());
  ASSERT_TRUE(random_again->Get(7, &b).ok());
  EXPECT_EQ(a.data, b.data);
}

// A subset of an in-memory set is identified by the samples it holds (and how they were
// chosen), not by the rest of the base: the base's digest is never computed for it.
TEST(Loader, InMemorySubsetDigestIsItsOwnSamples) {
  auto make = [](uint8_t tail) {
    std::vector<uint8_t> pixels(6 * 4);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i);
    for (size_t i = 4 * 4; i < pixels.size(); ++i) pixels[i] = tail;  // samples 4, 5
    return std::make_unique<InMemoryDataset>("t", 1, 2, 2, 2, pixels,
                                             std::vector<int32_t>{0, 1, 0, 1, 0, 1});
  };
  const SubsetDataset a(make(7), {0, 1, 3}, "s"), b(make(9), {0, 1, 3}, "s");
  EXPECT_EQ(a.digest(), b.digest());  // the bases differ only outside the subset
  const SubsetDataset c(make(7), {0, 1, 4}, "s"), d(make(9), {0, 1, 4}, "s");
  EXPECT_NE(c.digest(), d.digest());  // a chosen sample differs
  EXPECT_NE(a.digest(), SubsetDataset(make(7), {0, 1, 3}, "other").digest());
  EXPECT_NE(a.digest(), SubsetDataset(make(7), {1, 0, 3}, "s").digest());  // order counts
  EXPECT_NE(make(7)->digest(), make(9)->digest());
}

TEST(Loader, SyntheticSplitsShareClassesNotExamples) {
  const auto train = Synthetic(10);
  auto config = ParseDatasetConfig(
      "kind: SYNTHETIC split: TEST synthetic { num_examples: 10 num_classes: 5 channels: 1 "
      "height: 28 width: 28 seed: 11 }");
  ASSERT_TRUE(config.ok());
  auto test = Open(*config);
  ASSERT_TRUE(test.ok());
  EXPECT_NE(train->digest(), (*test)->digest());
  Image a, b;
  ASSERT_TRUE(train->Get(0, &a).ok());
  ASSERT_TRUE((*test)->Get(0, &b).ok());
  EXPECT_NE(a.data, b.data);
  double dist = 0;  // same class: both near the prototype (noise sd 32 per pixel)
  for (size_t i = 0; i < a.data.size(); ++i) dist += std::abs(a.data[i] - b.data[i]);
  EXPECT_LT(dist / a.data.size(), 50);
}

}  // namespace
}  // namespace datasets
}  // namespace strata
