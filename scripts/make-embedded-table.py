#!/usr/bin/env python3
"""Converts scikit-learn's copy of the UCI Breast Cancer Wisconsin (Diagnostic) table into the CSV embedded
as `--data embedded:breast-cancer`.

scikit-learn's breast_cancer.csv starts with a count header ("569,30,malignant,benign": rows, features, then
the class names in label order), not with column names, and stores the class as 0/1. This writes a header
row with scikit-learn's feature names and the class as its name in a last column `diagnosis`, so the table
reads like any user's CSV. The values are copied as text, unchanged.

Usage (Debian's python3-sklearn, unpacked without installing):
  apt-get download python3-sklearn && dpkg -x python3-sklearn_*.deb /tmp/skl
  scripts/make-embedded-table.py /tmp/skl/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv \
      alignment/src/main/resources/dev/ipa/alignment/table/embedded/breast-cancer.csv
"""
import csv
import sys

BASE = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
        "concave points", "symmetry", "fractal dimension"]
NAMES = (["mean " + b for b in BASE] + [b + " error" for b in BASE] + ["worst " + b for b in BASE])


def main(src, dst):
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    count, features, *classes = rows[0]
    count, features = int(count), int(features)
    body = rows[1:]
    if len(body) != count or features != len(NAMES):
        sys.exit(f"{src}: header promises {count} rows of {features} features, found {len(body)} rows")
    with open(dst, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(NAMES + ["diagnosis"])
        for r in body:
            if len(r) != features + 1:
                sys.exit(f"{src}: a row has {len(r)} fields, not {features + 1}")
            w.writerow(r[:features] + [classes[int(r[features])]])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
