#!/usr/bin/env python3
"""Write an IDX data set (Fashion-MNIST's four-file layout) as image folders: DST/train/<class>/<n>.png and
DST/test/<class>/<n>.png, grey 8-bit PNG, class folders named by the data set's class names.

Used to measure the image-folder path of `ipa train/simulate --data DIR` against the IDX path on the same
images (README, "Image folders"). Standard library only. Usage:
  scripts/idx-to-image-folders.py --src DIR --dst DIR [--every N]   (--every 3 keeps every third image)
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

CLASSES = ["0-t-shirt", "1-trouser", "2-pullover", "3-dress", "4-coat", "5-sandal", "6-shirt", "7-sneaker", "8-bag", "9-ankle-boot"]


def read(path):
    for candidate in (path + ".gz", path):
        if os.path.exists(candidate):
            with open(candidate, "rb") as f:
                data = f.read()
            return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    sys.exit(f"{path}[.gz] not found")


def png(rows, cols, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + pixels[r * cols:(r + 1) * cols] for r in range(rows))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--every", type=int, default=1)
    a = p.parse_args()
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = read(os.path.join(a.src, prefix + "-images-idx3-ubyte"))
        labels = read(os.path.join(a.src, prefix + "-labels-idx1-ubyte"))
        _, count, rows, cols = struct.unpack(">IIII", images[:16])
        size = rows * cols
        for i in range(0, count, a.every):
            folder = os.path.join(a.dst, split, CLASSES[labels[8 + i]])
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{i:05d}.png"), "wb") as f:
                f.write(png(rows, cols, images[16 + i * size:16 + (i + 1) * size]))


if __name__ == "__main__":
    main()
