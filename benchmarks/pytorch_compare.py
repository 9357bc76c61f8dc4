#!/usr/bin/python3
"""PyTorch's images/s on strata's networks (same shapes), for benchmarks/ and strata_speed.

Without --model: the ResNet-20 of engine_train_benchmark.cc. ResNet-20 for CIFAR (He et
al. 2016, Sec. 4.2): 3x3 conv 16 + BN + ReLU, three stages of three basic blocks (16, 32,
64 channels), option-B shortcuts (1x1 stride-2 conv + BN) where the shape changes, global
average pooling, linear 64 -> 10. Batch 128 of 3x32x32.

With --model <name> (a models::ModelNames() entry: resnet20, resnet18_cifar, vgg16_bn,
...): that network as //models builds it, from models/testdata/torch_models.py (the
definitions pytorch_parity.py checks against strata), 3 input channels, 10 classes,
--input-size square inputs, --width channel multiplier.

Train step = zero_grad + forward + cross-entropy + backward + SGD (momentum 0.9,
weight decay 5e-4); infer = eval-mode forward under no_grad.

    /usr/bin/python3 benchmarks/pytorch_compare.py [--threads 2] [--batch 128] [--reps 15]
    /usr/bin/python3 benchmarks/pytorch_compare.py --model resnet18_cifar --mode train \\
        --batch 32 --threads 2 --reps 5 --warmup 2 --expect-params 11173962 --json

Prints the median (and min-max) images/s over --reps timed repetitions after --warmup
untimed ones (--mode both, the default, times inference with 3x the reps). --json prints
one JSON object instead (//reports:strata_speed parses it): torch, model, mode, batch,
threads, params, reps, img_s (median), img_s_min, img_s_max, ms_median, cpu_ms_median; or
{"error": ...} with exit status 3 (parameter count differs from --expect-params: nothing
is timed), 4 (torch cannot be imported) or 2 (bad arguments).
Debian's python3-torch 1.13 defaults to 1 thread here: the script sets it explicitly.
"""
import argparse
import json
import os
import statistics
import sys
import time

# torch_models.py lives with the parity test; found beside this script's tree (source
# checkout or Bazel runfiles).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                                "models", "testdata"))


def timed(fn, reps, warmup):
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


def summary(batch, times):
    wall, cpu = times
    rates = sorted(batch / t for t in wall)
    return {"reps": len(rates), "img_s": statistics.median(rates), "img_s_min": rates[0],
            "img_s_max": rates[-1], "ms_median": 1000 * statistics.median(wall),
            "cpu_ms_median": 1000 * statistics.median(cpu)}


def report(name, s):
    # CPU time (all threads) is the steadier figure on a shared machine.
    print("%-6s median %7.1f img/s  (min %.1f, max %.1f, %d reps; median %.1f ms/step wall, "
          "%.1f ms/step CPU)" % (name, s["img_s"], s["img_s_min"], s["img_s_max"], s["reps"],
                                 s["ms_median"], s["cpu_ms_median"]))


def fail(args, message, status):
    if args.json:
        print(json.dumps({"error": message}))
    else:
        print("pytorch_compare.py: " + message, file=sys.stderr)
    return status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--model", help="a models::ModelNames() entry (default: option-B ResNet-20)")
    ap.add_argument("--width", type=float, default=1.0)
    ap.add_argument("--input-size", type=int, default=32)
    ap.add_argument("--mode", choices=["train", "infer", "both"], default="both")
    ap.add_argument("--expect-params", type=int, help="fail (status 3) on another count")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    if min(args.threads, args.batch, args.reps, args.input_size) < 1 or args.warmup < 0:
        return fail(args, "--threads, --batch, --reps, --input-size must be >= 1", 2)
    try:
        import torch
        import torch.nn.functional as F
        import torch_models
    except ImportError as e:
        return fail(args, "cannot import torch (Debian: python3-torch) for %s: %s"
                    % (sys.executable, e), 4)
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    if args.model is None:  # engine_train_benchmark.cc's network: option-B shortcuts
        net = torch_models.ResNet([3, 3, 3], [16, 32, 64], 16, 1.0, False, False, False)
    else:
        try:
            net = torch_models.build(args.model, args.width, args.input_size)
        except (KeyError, ValueError) as e:
            return fail(args, "unknown or unbuildable model %r: %r" % (args.model, e), 2)
    params = sum(p.numel() for p in net.parameters())
    if args.expect_params is not None and params != args.expect_params:
        return fail(args, "parameter count of %s: PyTorch %d, expected (strata) %d"
                    % (args.model, params, args.expect_params), 3)
    size = args.input_size
    x = torch.randn(args.batch, 3, size, size)
    labels = torch.arange(args.batch) % 10
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def train_step():
        opt.zero_grad()
        F.cross_entropy(net(x), labels).backward()
        opt.step()

    def infer():
        with torch.no_grad():
            net(x)

    results = {}
    if args.mode in ("train", "both"):
        net.train()
        results["train"] = summary(args.batch, timed(train_step, args.reps, args.warmup))
    if args.mode in ("infer", "both"):
        net.eval()
        reps = args.reps * 3 if args.mode == "both" else args.reps
        results["infer"] = summary(args.batch, timed(infer, reps, args.warmup))
    if args.json:
        head = {"torch": torch.__version__, "model": args.model or "resnet20_option_b",
                "batch": args.batch, "threads": args.threads, "input_size": size,
                "width": args.width, "params": params}
        if args.mode != "both":
            head.update(mode=args.mode, **results[args.mode])
        else:
            head.update(results)
        print(json.dumps(head))
        return 0
    print("torch %s, %d threads, batch %d%s" % (torch.__version__, args.threads, args.batch,
                                              ", " + args.model if args.model else ""))
    for mode, result in results.items():
        report(mode, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
