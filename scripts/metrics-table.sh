#!/usr/bin/env bash
# Runs `ipa simulate` for each VARIANT (extra flags) over several seeds and prints, per variant and algorithm, the
# peers' mean final test accuracy, balanced accuracy and macro-F1 as mean ± sd over the seeds (issue 13's tables).
#
#   scripts/metrics-table.sh OUT_DIR "COMMON FLAGS" "SEEDS" "VARIANT FLAGS"...
#
# Example (image folders, IPA beside FedAvg and local-only):
#   scripts/metrics-table.sh runs/images "--data /tmp/fm-png --peers 3 --partition dirichlet:0.3 --rounds 5 --compare ipa,fedavg,local" "0 1 2" ""
# It runs the CLI from simulations/microbench/target (build it with ./mvnw -o -q -B package -DskipTests -pl
# simulations/microbench -am), one run at a time, OMP_NUM_THREADS=1. Results: OUT_DIR/runs.tsv, OUT_DIR/table.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1"; COMMON="$2"; SEEDS="$3"; shift 3
mkdir -p "$OUT"
CP="${IPA_CP:-$ROOT/simulations/microbench/target/ipa-microbench-0.1.0-SNAPSHOT.jar:$ROOT/simulations/microbench/target/lib/*}"
TSV="$OUT/runs.tsv"
[ -f "$TSV" ] || printf 'variant\tseed\talgorithm\taccuracy\tbalancedAccuracy\tmacroF1\n' > "$TSV"
v=0
for variant in "$@"; do
  v=$((v + 1))
  for seed in $SEEDS; do
    name="v$v-$seed"
    if grep -q "^${variant:-defaults}	$seed	" "$TSV"; then continue; fi
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=1 java -XX:+UseParallelGC -cp "$CP" dev.ipa.sim.cli.Ipa simulate $COMMON $variant --seed "$seed" --no-standalone \
      --out "$OUT/$name" > "$OUT/$name.log" 2>&1
    python3 - "$OUT/$name/report.json" "${variant:-defaults}" "$seed" >> "$TSV" <<'PY'
import json, sys
path, variant, seed = sys.argv[1:]
r = json.load(open(path))
algos = r.get("algorithms") or {r["config"]["algorithms"][0]: r}
for name, a in algos.items():
    f = a["final"]
    print("\t".join([variant, seed, name] + ["%.4f" % f[k] for k in ("meanAccuracy", "meanBalancedAccuracy", "meanMacroF1")]))
PY
    tail -n +2 "$TSV" | grep "	$seed	" | tail -3
  done
done
python3 - "$TSV" > "$OUT/table.md" <<'PY'
import sys, statistics as st, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
g = collections.OrderedDict()
for variant, seed, algo, *figures in rows: g.setdefault((variant, algo), []).append([float(x) for x in figures])
print("| variant | algorithm | seeds | accuracy | balanced accuracy | macro-F1 |")
print("|---|---|---|---|---|---|")
for (variant, algo), runs in g.items():
    cells = []
    for k in range(3):
        xs = [r[k] for r in runs]
        cells.append("%.4f ± %.4f" % (st.mean(xs), st.stdev(xs) if len(xs) > 1 else 0.0))
    print("| %s | %s | %d | %s |" % (variant, algo, len(runs), " | ".join(cells)))
PY
cat "$OUT/table.md"
