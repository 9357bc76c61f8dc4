#!/usr/bin/python3
"""Writes parity_dump.txt: a small residual network trained for two SGD steps by PyTorch.

The C++ test //engine:parity_test loads the same initial weights and inputs from the dump
(so initialization differences do not matter), runs the same two steps with strata's
engine, and compares the loss, every parameter gradient of step 1, the parameters after
each step and the BN running statistics. Regenerate (Debian's python3-torch 1.13):

    /usr/bin/python3 engine/testdata/make_parity_dump.py > engine/testdata/parity_dump.txt

Network (names are the state_dict names the C++ side uses): conv1-bn1-relu; block1 =
identity basic block (conv-bn-relu-conv-bn + x, relu); block2 = stride-2 basic block with a
1x1 stride-2 conv + BN shortcut; global average pool; fc (with bias); cross-entropy (mean).
Input 5 x 3 x 9 x 9 (odd sizes on purpose). SGD lr 0.1, momentum 0.9, weight decay 5e-4
(coupled, PyTorch's form), applied to every parameter.

Format: one tensor per two lines: "<name> <rank> <dims...>" then its values ("%.9g").
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

W = 4  # width of the first stage


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.has_sc = stride != 1 or cin != cout
        if self.has_sc:
            self.sc_conv = nn.Conv2d(cin, cout, 1, stride, 0, bias=False)
            self.sc_bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = self.sc_bn(self.sc_conv(x)) if self.has_sc else x
        return F.relu(y + s)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, W, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(W)
        self.block1 = Block(W, W, 1)
        self.block2 = Block(W, 2 * W, 2)
        self.fc = nn.Linear(2 * W, 10)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.block2(self.block1(y))
        return self.fc(y.mean(dim=(2, 3)))


def emit(out, name, t):
    t = t.detach().to(torch.float32).contiguous()
    out.write("%s %d %s\n" % (name, t.dim(), " ".join(str(d) for d in t.shape)))
    out.write(" ".join("%.9g" % v for v in t.flatten().tolist()) + "\n")


def main():
    torch.manual_seed(20261124)
    torch.set_num_threads(1)
    net = Net()
    with torch.no_grad():  # non-trivial BN affine parameters
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    x = torch.randn(5, 3, 9, 9)
    labels = torch.randint(0, 10, (5,))
    params = [(n, p) for n, p in net.named_parameters()]
    buffers = [(n, b) for n, b in net.named_buffers() if not n.endswith("num_batches_tracked")]
    out = sys.stdout
    emit(out, "input", x)
    emit(out, "labels", labels.float())
    for n, p in params:
        emit(out, "init/" + n, p)
    for n, b in buffers:
        emit(out, "init/" + n, b)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    net.train()
    for step in (1, 2):
        opt.zero_grad()
        loss = F.cross_entropy(net(x), labels)
        loss.backward()
        emit(out, "step%d/loss" % step, loss.reshape(1))
        if step == 1:
            for n, p in params:
                emit(out, "step1/grad/" + n, p.grad)
        opt.step()
        for n, p in params:
            emit(out, "step%d/param/%s" % (step, n), p)
    for n, b in buffers:
        emit(out, "step2/" + n, b)
    net.eval()
    with torch.no_grad():
        emit(out, "eval/logits", net(x))


if __name__ == "__main__":
    main()
