#!/usr/bin/env python3
"""Regenerate the class-balanced Fashion-MNIST subset embedded in the alignment module.

Reads the full IDX files (default /usr/share/datasets/fashion-mnist, Debian package
dataset-fashion-mnist), picks the same number of samples from every class with a seeded
random generator, keeps them in their original order, and writes gzip -9 IDX files with
mtime=0 so that the same inputs always give byte-identical outputs.

Standard library only. Usage:
  scripts/make-embedded-subset.py [--src DIR] [--dst DIR] [--train N] [--test N] [--seed S]
"""
import argparse
import gzip
import io
import os
import random
import struct
import sys

DEFAULT_DST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "alignment", "src", "main",
                           "resources", "dev", "ipa", "alignment", "data", "fashion-mnist-subset")
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


def read_raw(path):
    for candidate in (path, path + ".gz", path[:-3] if path.endswith(".gz") else None):
        if candidate and os.path.exists(candidate):
            with open(candidate, "rb") as f:
                data = f.read()
            return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    sys.exit(f"{path} not found; install dataset-fashion-mnist or pass --src DIR")


def read_images(path):
    data = read_raw(path)
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != IMAGES_MAGIC or len(data) != 16 + count * rows * cols:
        sys.exit(f"{path} is not a complete IDX image file")
    size = rows * cols
    return rows, cols, [data[16 + i * size:16 + (i + 1) * size] for i in range(count)]


def read_labels(path):
    data = read_raw(path)
    magic, count = struct.unpack(">II", data[:8])
    if magic != LABELS_MAGIC or len(data) != 8 + count:
        sys.exit(f"{path} is not a complete IDX label file")
    return list(data[8:])


def balanced_indices(labels, total, rng):
    classes = sorted(set(labels))
    if total % len(classes) != 0:
        sys.exit(f"{total} is not a multiple of the {len(classes)} classes; choose a count that is")
    per_class = total // len(classes)
    chosen = []
    for c in classes:
        members = [i for i, y in enumerate(labels) if y == c]
        if len(members) < per_class:
            sys.exit(f"class {c} has only {len(members)} samples, fewer than {per_class}")
        chosen.extend(rng.sample(members, per_class))
    return sorted(chosen)


def write_gz(path, payload):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
        gz.write(payload)
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return len(buf.getvalue())


def make_split(src, dst, prefix, count, rng):
    rows, cols, images = read_images(os.path.join(src, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_labels(os.path.join(src, f"{prefix}-labels-idx1-ubyte.gz"))
    if len(images) != len(labels):
        sys.exit(f"{prefix}: {len(images)} images but {len(labels)} labels")
    idx = balanced_indices(labels, count, rng)
    img = struct.pack(">IIII", IMAGES_MAGIC, len(idx), rows, cols) + b"".join(images[i] for i in idx)
    lab = struct.pack(">II", LABELS_MAGIC, len(idx)) + bytes(labels[i] for i in idx)
    n1 = write_gz(os.path.join(dst, f"{prefix}-images-idx3-ubyte.gz"), img)
    n2 = write_gz(os.path.join(dst, f"{prefix}-labels-idx1-ubyte.gz"), lab)
    print(f"{prefix}: {len(idx)} samples, {n1 + n2} bytes")
    return n1 + n2


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--dst", default=DEFAULT_DST)
    # 10,000 train images compress to 5,245,524 bytes with the test split, over the 5 MB budget; 9,000 fit.
    p.add_argument("--train", type=int, default=9000)
    p.add_argument("--test", type=int, default=2000)
    p.add_argument("--seed", type=int, default=20170825)
    args = p.parse_args()
    os.makedirs(args.dst, exist_ok=True)
    # One generator per split, so changing the train count does not change the test subset.
    total = make_split(args.src, args.dst, "train", args.train, random.Random(args.seed))
    total += make_split(args.src, args.dst, "t10k", args.test, random.Random(args.seed + 1))
    print(f"total: {total} bytes")


if __name__ == "__main__":
    main()
