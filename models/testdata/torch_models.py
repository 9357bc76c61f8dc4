"""PyTorch definitions of strata's networks (//models), shape for shape.

Shared by models/testdata/pytorch_parity.py (which loads strata's parameters into them and
compares logits) and benchmarks/pytorch_compare.py (PyTorch's images/s for the
strata_speed table). torchvision's ResNet/MobileNetV2/VGG definitions written out, since
Debian ships python3-torch without torchvision; the CIFAR ResNets as
akamaster/pytorch_resnet_cifar10 with option-A shortcuts. Parameter names equal strata's
(PyTorch state_dict names); 3 input channels, 10 classes.

    build(name, width, input_size) -> nn.Module   # name: a models::ModelNames() entry
"""
import torch, torch.nn as nn, torch.nn.functional as F
def rnd(c, w): return max(1, int(round(c * w)))
# akamaster CIFAR ResNet (option A)
class LambdaLayer(nn.Module):
    def __init__(s, f): super().__init__(); s.f = f
    def forward(s, x): return s.f(x)
class BasicA(nn.Module):
    def __init__(s, inp, planes, stride, optA):
        super().__init__()
        s.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False); s.bn1 = nn.BatchNorm2d(planes)
        s.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(planes)
        s.shortcut = lambda x: x
        if stride != 1 or inp != planes:
            if optA:
                p = (planes - inp) // 2
                s.shortcut = LambdaLayer(lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, p, planes - inp - p)))
            else:
                s.downsample = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
                s.shortcut = lambda x: s.downsample(x)
    def forward(s, x):
        o = F.relu(s.bn1(s.conv1(x))); o = s.bn2(s.conv2(o)); return F.relu(o + s.shortcut(x))
class Bottleneck(nn.Module):
    def __init__(s, inp, width, stride):
        super().__init__()
        s.conv1 = nn.Conv2d(inp, width, 1, bias=False); s.bn1 = nn.BatchNorm2d(width)
        s.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False); s.bn2 = nn.BatchNorm2d(width)
        s.conv3 = nn.Conv2d(width, width * 4, 1, bias=False); s.bn3 = nn.BatchNorm2d(width * 4)
        s.downsample = None
        if stride != 1 or inp != width * 4:
            s.downsample = nn.Sequential(nn.Conv2d(inp, width * 4, 1, stride, bias=False), nn.BatchNorm2d(width * 4))
    def forward(s, x):
        o = F.relu(s.bn1(s.conv1(x))); o = F.relu(s.bn2(s.conv2(o))); o = s.bn3(s.conv3(o))
        return F.relu(o + (s.downsample(x) if s.downsample is not None else x))
class ResNet(nn.Module):
    def __init__(s, blocks, chans, stem, w, bottleneck, optA, imagenet_stem):
        super().__init__()
        c = rnd(stem, w)
        s.conv1 = nn.Conv2d(3, c, 7 if imagenet_stem else 3, 2 if imagenet_stem else 1, 3 if imagenet_stem else 1, bias=False)
        s.bn1 = nn.BatchNorm2d(c); s.mp = imagenet_stem
        inp = c
        for i, (n, ch) in enumerate(zip(blocks, chans)):
            layers = []
            width = rnd(ch, w)
            for b in range(n):
                st = 2 if (b == 0 and i > 0) else 1
                if bottleneck: layers.append(Bottleneck(inp, width, st)); inp = width * 4
                else: layers.append(BasicA(inp, width, st, optA)); inp = width
            setattr(s, f"layer{i+1}", nn.Sequential(*layers))
        s.nstages = len(blocks)
        s.fc = nn.Linear(inp, 10)
    def forward(s, x):
        x = F.relu(s.bn1(s.conv1(x)))
        if s.mp: x = F.max_pool2d(x, 3, 2, 1)
        for i in range(s.nstages): x = getattr(s, f"layer{i+1}")(x)
        return s.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))
def make_div(v, d=8):
    nv = max(d, int(v + d / 2) // d * d)
    if nv < 0.9 * v: nv += d
    return nv
def cna(i, o, k, s, g=1):
    return nn.Sequential(nn.Conv2d(i, o, k, s, (k - 1) // 2, groups=g, bias=False), nn.BatchNorm2d(o), nn.ReLU6())
class IR(nn.Module):
    def __init__(s, i, o, st, t):
        super().__init__(); h = i * t; L = []
        if t != 1: L.append(cna(i, h, 1, 1))
        L += [cna(h, h, 3, st, h), nn.Conv2d(h, o, 1, bias=False), nn.BatchNorm2d(o)]
        s.conv = nn.Sequential(*L); s.res = st == 1 and i == o
    def forward(s, x): return x + s.conv(x) if s.res else s.conv(x)
class MBV2(nn.Module):
    def __init__(s, w, cifar):
        super().__init__()
        ic = make_div(32 * w); last = make_div(1280 * max(1.0, w))
        f = [cna(3, ic, 3, 1 if cifar else 2)]
        for t, c, n, st in [[1,16,1,1],[6,24,2,2],[6,32,3,2],[6,64,4,2],[6,96,3,1],[6,160,3,2],[6,320,1,1]]:
            oc = make_div(c * w)
            for i in range(n): f.append(IR(ic, oc, st if i == 0 else 1, t)); ic = oc
        f.append(cna(ic, last, 1, 1)); s.features = nn.Sequential(*f)
        s.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, 10))
    def forward(s, x): return s.classifier(torch.flatten(F.adaptive_avg_pool2d(s.features(x), 1), 1))
D = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']
class VGG(nn.Module):
    def __init__(s, w, convs, size):
        super().__init__(); L = []; i = 3; k = 0; cfg = []
        for v in D:
            if v != 'M' and k == convs: break
            cfg.append(v); k += v != 'M'
        if cfg[-1] != 'M': cfg.append('M')
        h = size
        for v in cfg:
            if v == 'M': L.append(nn.MaxPool2d(2, 2)); h //= 2
            else:
                o = rnd(v, w); L += [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(True)]; i = o
        s.features = nn.Sequential(*L); hid = rnd(4096, w); h = min(h, 7)
        s.classifier = nn.Sequential(nn.Linear(i * h * h, hid), nn.ReLU(True), nn.Dropout(), nn.Linear(hid, hid), nn.ReLU(True), nn.Dropout(), nn.Linear(hid, 10))
    def forward(s, x):
        f = s.features(x)
        if f.shape[-1] > 7: f = F.adaptive_avg_pool2d(f, 7)
        return s.classifier(torch.flatten(f, 1))
def build(name, w, size):
    cifar = dict(resnet20=3, resnet32=5, resnet56=9)
    if name in cifar: n = cifar[name]; return ResNet([n, n, n], [16, 32, 64], 16, w, False, True, False)
    base, _, stem = name.partition("_")
    if base in ("resnet18", "resnet34", "resnet50"):
        blocks = [2, 2, 2, 2] if base == "resnet18" else [3, 4, 6, 3]
        return ResNet(blocks, [64, 128, 256, 512], 64, w, base == "resnet50", False, stem != "cifar")
    if base == "mobilenetv2": return MBV2(w, stem == "cifar")
    return VGG(w, {"vgg16_bn": 13, "vgg16_bn_small5": 5, "vgg16_bn_small8": 8}[name], size)
