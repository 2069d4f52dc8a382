#!/usr/bin/env bash
# IPA beside FedAvg and local-only on a table (issue 13), mean ± sd over seeds: each seed runs all three
# algorithms with --compare, so they share the test split, the shards and the exchanges per epoch.
#
#   scripts/table-figures.sh OUT_DIR "SIMULATE FLAGS" "SEEDS"
# Example (the README's table):
#   scripts/table-figures.sh runs/table-bc "--data embedded:breast-cancer --peers 5 --partition dirichlet:0.5 --rounds 10" "0 1 2"
# Runs the CLI from simulations/microbench/target (./mvnw -o -q -B package -DskipTests -pl simulations/microbench -am),
# OMP_NUM_THREADS=1. Writes OUT_DIR/runs.tsv and OUT_DIR/table.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1"; FLAGS="$2"; SEEDS="$3"
mkdir -p "$OUT"
CP="${IPA_CP:-$ROOT/simulations/microbench/target/ipa-microbench-0.1.0-SNAPSHOT.jar:$ROOT/simulations/microbench/target/lib/*}"
for seed in $SEEDS; do
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 java -cp "$CP" dev.ipa.sim.cli.Ipa simulate $FLAGS --seed "$seed" --compare ipa,fedavg,local \
    --out "$OUT/seed-$seed" > "$OUT/seed-$seed.log" 2>&1
done
python3 - "$OUT" $SEEDS <<'PY'
import json, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
rows = []
with open(f"{out}/runs.tsv", "w") as tsv:
    tsv.write("algorithm\tseed\tmeanAccuracy\tminAccuracy\tpersonalAccuracy\n")
    for algo in ["ipa", "fedavg", "local"]:
        acc, mn, pers = [], [], []
        for s in seeds:
            f = json.load(open(f"{out}/seed-{s}/report.json"))["algorithms"][algo]["final"]
            acc.append(f["meanAccuracy"]); mn.append(f["minAccuracy"]); pers.append(f["meanPersonalAccuracy"])
            tsv.write(f"{algo}\t{s}\t{f['meanAccuracy']:.4f}\t{f['minAccuracy']:.4f}\t{f['meanPersonalAccuracy']:.4f}\n")
        pm = lambda v: f"{statistics.mean(v):.4f} ± {statistics.stdev(v) if len(v) > 1 else 0:.4f}"
        rows.append(f"| {algo} | {pm(acc)} | {pm(mn)} | {pm(pers)} |")
table = "| algorithm | mean test accuracy | worst peer | personal (own validation) |\n|---|---|---|---|\n" + "\n".join(rows)
open(f"{out}/table.md", "w").write(table + "\n")
print(table)
PY
