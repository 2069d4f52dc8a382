#!/usr/bin/env bash
# Accuracy for several ε budgets (issue 15): each row calibrates σ for rounds × syncs releases at δ.
#
#   scripts/dp-table.sh OUT_DIR "SPLIT FLAGS" "SEEDS" EPSILON...   (EPSILON "inf" = no DP)
#
# Example: scripts/dp-table.sh runs/dp-5p "--data /usr/share/datasets/fashion-mnist --peers 5 --partition dirichlet:0.3 --rounds 20" "0 1 2" inf 8 4 1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1"; SPLIT="$2"; SEEDS="$3"; shift 3
mkdir -p "$OUT"
CP="$ROOT/simulations/microbench/target/ipa-microbench-0.1.0-SNAPSHOT.jar:$ROOT/simulations/microbench/target/lib/*"
TSV="$OUT/runs.tsv"
[ -f "$TSV" ] || printf 'epsilon\tseed\tmeanAccuracy\tpersonalAccuracy\tepsilonSpent\n' > "$TSV"
for eps in "$@"; do
  for seed in $SEEDS; do
    if grep -q "^$eps	$seed	" "$TSV"; then continue; fi
    dp="none"; [ "$eps" != "inf" ] && dp="epsilon:$eps,delta:1e-5"
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=1 java -XX:+UseParallelGC -cp "$CP" dev.ipa.sim.cli.Ipa simulate $SPLIT --seed "$seed" --no-standalone \
      --dp "$dp" --out "$OUT/eps$eps-$seed" > "$OUT/eps$eps-$seed.log" 2>&1
    python3 - "$OUT/eps$eps-$seed/report.json" "$eps" "$seed" >> "$TSV" <<'PY'
import json, sys
path, eps, seed = sys.argv[1:]
r = json.load(open(path))
f = r["final"]
spent = max([p.get("epsilon", float("nan")) for p in r["rounds"][-1]["peers"]] or [float("nan")])
print("\t".join([eps, seed, "%.4f" % f["meanAccuracy"], "%.4f" % f["meanPersonalAccuracy"], "%.4f" % spent]))
PY
    tail -1 "$TSV"
  done
done
python3 - "$TSV" <<'PY' | tee "$OUT/table.md"
import sys, statistics as st, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
g = collections.OrderedDict()
for e, s, a, p, sp in rows: g.setdefault(e, []).append((float(a), float(p), float(sp)))
print("| ε (δ = 1e-5) | seeds | mean test acc | personal acc | ε spent (max) |")
print("|---|---|---|---|---|")
for e, v in g.items():
    sd = lambda xs: st.stdev(xs) if len(xs) > 1 else float("nan")
    a = [x[0] for x in v]; p = [x[1] for x in v]
    print("| %s | %d | %.4f ± %.4f | %.4f ± %.4f | %.3f |" % (e, len(v), st.mean(a), sd(a), st.mean(p), sd(p), max(x[2] for x in v)))
PY
