// strata datasets: the one public header of //datasets.
//
// Overview
//   dataset.h     Dataset (8-bit CHW samples + labels + a digest of the data identity),
//                 Open(DatasetConfig), ParseDatasetConfig(text)
//   dataset.proto DatasetConfig: kind, path, split, subset, synthetic and image options
//   transforms.h  composable per-sample steps (pad, crops, flip, resizes) + Normalize;
//                 randomness = f(seed, epoch, sample index)
//   loader.h      seeded shuffle per epoch, fixed batch size, prefetch threads;
//                 NCHW float batches, identical bytes for any prefetch setting
//
// Readers (private, reached through Open): IDX raw/gzip (MNIST, Fashion-MNIST — the
// embedded default, Debian's dataset-fashion-mnist), CIFAR-10/100 binary, ImageFolder
// (JPEG/PNG via stb_image, decoded lazily), synthetic.
//
// Worked example: Fashion-MNIST padded to 32x32 with CIFAR-style augmentation.
//
//   using namespace strata::datasets;
//   STRATA_ASSIGN_OR_RETURN(DatasetConfig config,
//       ParseDatasetConfig("kind: FASHION_MNIST split: TRAIN first_k_per_class { k: 100 }"));
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> train, Open(config));  // 1000 images
//   LoaderOptions opt;
//   opt.batch_size = 64;
//   opt.seed = 7;
//   opt.prefetch_threads = 1;
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Loader> loader,
//       Loader::Create(train.get(),
//                      CifarStyle(/*train=*/true, /*pad_to_32=*/true, kFashionMnistNorm), opt));
//   loader->StartEpoch(0);
//   Batch b;
//   while (true) {
//     STRATA_ASSIGN_OR_RETURN(bool more, loader->Next(&b));
//     if (!more) break;
//     // b.images: (b.n, 1, 32, 32) floats; b.labels: b.n labels in [0, 10)
//   }
//   // train->digest() keys a result cache on the data identity.
#ifndef STRATA_DATASETS_DATASETS_H_
#define STRATA_DATASETS_DATASETS_H_

#include "datasets/dataset.h"
#include "datasets/dataset.pb.h"
#include "datasets/loader.h"
#include "datasets/transforms.h"

#endif  // STRATA_DATASETS_DATASETS_H_
