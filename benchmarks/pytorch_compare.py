#!/usr/bin/python3
"""PyTorch's images/s on the ResNet-20 of engine_train_benchmark.cc (same shapes).

ResNet-20 for CIFAR (He et al. 2016, Sec. 4.2): 3x3 conv 16 + BN + ReLU, three stages of
three basic blocks (16, 32, 64 channels), option-B shortcuts (1x1 stride-2 conv + BN) where
the shape changes, global average pooling, linear 64 -> 10. Batch 128 of 3x32x32.
Train step = zero_grad + forward + cross-entropy + backward + SGD (momentum 0.9,
weight decay 5e-4); infer = eval-mode forward under no_grad.

    /usr/bin/python3 benchmarks/pytorch_compare.py [--threads 2] [--batch 128] [--reps 15]

Prints the median (and min-max) images/s over --reps timed repetitions after warm-up.
Debian's python3-torch 1.13 defaults to 1 thread here: the script sets it explicitly.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for stage in range(3):
            cout = 16 << stage
            for b in range(3):
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        y = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(y.mean(dim=(2, 3)))


def timed(fn, reps, warmup=3):
    """Wall and process-CPU seconds of each of `reps` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def report(name, batch, times):
    wall, cpu = times
    rates = sorted(batch / t for t in wall)
    # CPU time (all threads) is the steadier figure on a shared machine.
    print("%-6s median %7.1f img/s  (min %.1f, max %.1f, %d reps; median %.1f ms/step wall, "
          "%.1f ms/step CPU)" % (name, statistics.median(rates), rates[0], rates[-1], len(rates),
                                 1000 * statistics.median(wall), 1000 * statistics.median(cpu)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    net = ResNet20()
    x = torch.randn(args.batch, 3, 32, 32)
    labels = torch.arange(args.batch) % 10
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def train_step():
        opt.zero_grad()
        F.cross_entropy(net(x), labels).backward()
        opt.step()

    def infer():
        with torch.no_grad():
            net(x)

    print("torch %s, %d threads, batch %d" % (torch.__version__, args.threads, args.batch))
    net.train()
    report("train", args.batch, timed(train_step, args.reps))
    net.eval()
    report("infer", args.batch, timed(infer, args.reps * 3))


if __name__ == "__main__":
    main()
