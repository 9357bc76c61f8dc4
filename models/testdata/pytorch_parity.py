"""PyTorch parity of strata's networks (run by hand; tests never need Python).

  bazel build //models:parity_dump
  /usr/bin/python3 models/testdata/pytorch_parity.py <path to parity_dump>

Rebuilds each network in PyTorch (torch_models.py beside this script: torchvision's
ResNet/MobileNetV2/VGG definitions written out, the CIFAR ResNets with option-A
shortcuts), loads the parameters strata initialized (names must match one to one), and
compares the logits on the same input in training mode (batch statistics; dropout disabled
on both sides where it cannot match, so those networks are compared in eval mode only) and
in eval mode after one update of the running statistics.
"""
import os, subprocess, sys, tempfile
import numpy as np, torch, torch.nn as nn
from torch_models import build  # the network definitions, shared with benchmarks/
torch.set_num_threads(1)
def load(d, model):
    names = open(d + "/names.txt").read().split()
    sd = model.state_dict()
    pnames = [n for n, _ in model.named_parameters()]
    assert sorted(names) == sorted(pnames), (set(names) ^ set(pnames))
    for n in names:
        a = np.fromfile(f"{d}/{n}.bin", dtype=np.float32)
        sd[n].copy_(torch.from_numpy(a).reshape(sd[n].shape))
    return model
CASES = [("resnet20", .5, 32), ("resnet56", .25, 32), ("resnet18", .25, 64), ("resnet34", .125, 64),
         ("resnet50", .25, 64), ("resnet18_cifar", .25, 32), ("resnet50_cifar", .125, 32),
         ("mobilenetv2", .5, 64), ("mobilenetv2_cifar", .5, 32), ("vgg16_bn", .125, 32),
         ("vgg16_bn_small5", .125, 224), ("vgg16_bn_small8", .25, 32)]

def main(dumper):
    torch.set_num_threads(1)
    worst = 0.0
    for name, w, size in CASES:
        d = tempfile.mkdtemp(prefix=name + "_")
        subprocess.run([dumper, name, str(w), str(size), d], check=True,
                       env=dict(os.environ, OPENBLAS_CORETYPE="Haswell"))
        m = load(d, build(name, w, size))
        x = torch.from_numpy(np.fromfile(d + "/x.bin", dtype=np.float32)).reshape(2, 3, size, size)
        dropout = any(isinstance(mod, nn.Dropout) for mod in m.modules())
        for mod in m.modules():
            if isinstance(mod, nn.Dropout): mod.p = 0.0
        m.train(); yt = m(x).detach().numpy().ravel()
        m.eval(); ye = m(x).detach().numpy().ravel()
        ct = np.fromfile(d + "/y_train.bin", dtype=np.float32)
        ce = np.fromfile(d + "/y_eval.bin", dtype=np.float32)
        scale = np.abs(ce).max()
        ev = np.abs(ye - ce).max() / scale
        tr = float("nan") if dropout else np.abs(yt - ct).max() / np.abs(ct).max()
        worst = max(worst, ev, 0 if dropout else tr)
        print(f"{name:18s} w={w:<5} {size:3d}px  rel. max|diff| train {tr:.1e}  eval {ev:.1e}")
    # Train mode divides by batch-of-2 standard deviations deep in the network, which
    # amplifies float32 rounding differences; 1e-3 still catches any structural error.
    print("worst", worst, "OK" if worst < 1e-3 else "FAIL")
    return 0 if worst < 1e-3 else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
