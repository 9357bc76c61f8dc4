// strata datasets: the one public header of //datasets.
//
// dataset readers (IDX, CIFAR binary, ImageFolder, synthetic), transforms, deterministic loader.
#ifndef STRATA_DATASETS_DATASETS_H_
#define STRATA_DATASETS_DATASETS_H_

#endif  // STRATA_DATASETS_DATASETS_H_
