#!/usr/bin/env python3
"""PyTorch side of `ipa bench train`: the same networks, batch, optimiser and loss as the project's trainer.

Networks (all ReLU, "same" padding, NHWC data reshaped to NCHW once):
  cnn:  conv 5x5 (16) -> max-pool 2 -> conv 5x5 (32) -> max-pool 2 -> dense 128 -> dense classes
  mlp:  dense 200 -> dense 200 -> dense classes
Loss: softmax cross-entropy summed over the batch (the IPA paper's, as dev.ipa.alignment.train.LocalTrainer).
Optimiser: Adam, learning rate 1e-3. Batches are drawn in a shuffled order, as the project's trainer does.

Prints one JSON object per batch size on stdout, e.g.
  {"framework": "pytorch 1.13.1", "model": "cnn", "batch": 50, "threads": 1, "steps": 400,
   "seconds": 3.1, "cpu_seconds": 3.1, "samples_per_second": 6451.6}
(cpu_seconds is the process's CPU time over the timed steps: divided by seconds, the cores it kept busy.)
It asserts nothing: it is a benchmark.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
import torch.nn as nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        data = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)
    return data.reshape(dims)


def load(directory):
    def find(stem):
        for name in (stem + ".gz", stem):
            p = os.path.join(directory, name)
            if os.path.exists(p):
                return p
        sys.exit("No %s(.gz) in %s; pass --data with a Fashion-MNIST IDX directory." % (stem, directory))

    x = read_idx(find("train-images-idx3-ubyte")).float().div_(255.0)
    y = read_idx(find("train-labels-idx1-ubyte")).long()
    return x.unsqueeze(1), y  # N, 1, H, W


def network(model, channels, height, width, classes):
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(channels, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * (height // 4) * (width // 4), 128), nn.ReLU(),
            nn.Linear(128, classes))
    if model == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(channels * height * width, 200), nn.ReLU(),
            nn.Linear(200, 200), nn.ReLU(), nn.Linear(200, classes))
    sys.exit("Unknown model '%s'; use cnn or mlp." % model)


def measure(x, y, model, batch, warmup, steps, seed):
    torch.manual_seed(seed)
    net = network(model, x.shape[1], x.shape[2], x.shape[3], int(y.max()) + 1)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    order = torch.randperm(x.shape[0])
    position = 0

    def step():
        nonlocal position
        if position + batch > order.shape[0]:
            position = 0
        idx = order[position:position + batch]
        position += batch
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(x[idx]), y[idx])
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return time.perf_counter() - start, time.process_time() - cpu


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.environ.get("IPA_DATA", "/usr/share/datasets/fashion-mnist"))
    p.add_argument("--model", default="cnn", choices=["cnn", "mlp"])
    p.add_argument("--batch", default="50,256", help="comma-separated batch sizes")
    p.add_argument("--steps", type=int, default=400, help="timed steps per batch size")
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--threads", type=int, default=1, help="intra-op threads (torch.set_num_threads)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    x, y = load(a.data)
    for b in (int(s) for s in a.batch.split(",")):
        seconds, cpu = measure(x, y, a.model, b, a.warmup, a.steps, a.seed)
        print(json.dumps({"framework": "pytorch " + torch.__version__, "model": a.model, "batch": b,
                          "threads": torch.get_num_threads(), "steps": a.steps, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                          "samples_per_second": round(a.steps * b / seconds, 1)}), flush=True)


if __name__ == "__main__":
    main()
