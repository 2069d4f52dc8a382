#!/usr/bin/env bash
# Runs one malicious-peer table (issue 15): for each attack, with the defences on and off, over several seeds,
# and prints the honest peers' mean final test and personal accuracy as mean ± sd over the seeds.
#
#   scripts/attack-table.sh OUT_DIR "SPLIT FLAGS" "ATTACKERS" "SEEDS" KIND...
#
# ATTACKERS are 0-based peer indices (the same attack on each), KIND as --attack takes it, or "clean".
# Example (the 5-peer Dirichlet row of the goal table):
#   scripts/attack-table.sh runs/attack-5p "--data /usr/share/datasets/fashion-mnist --peers 5 --partition dirichlet:0.3 --rounds 20" \
#     "4" "0 1 2" clean scale:1e6 random weight:2147483647
# It runs the CLI from simulations/microbench/target (build it with ./mvnw -o -q -B package -DskipTests -pl
# simulations/microbench -am), one run at a time, OMP_NUM_THREADS=1. Results: OUT_DIR/runs.tsv, OUT_DIR/table.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1"; SPLIT="$2"; ATTACKERS="$3"; SEEDS="$4"; shift 4
mkdir -p "$OUT"
CP="${IPA_CP:-$ROOT/simulations/microbench/target/ipa-microbench-0.1.0-SNAPSHOT.jar:$ROOT/simulations/microbench/target/lib/*}"
TSV="$OUT/runs.tsv"
[ -f "$TSV" ] || printf 'attack\trobust\tseed\thonestAccuracy\thonestPersonal\n' > "$TSV"
for kind in "$@"; do
  for robust in on off; do
    for seed in $SEEDS; do
      name="$kind-$robust-$seed"
      if grep -q "^$kind	$robust	$seed	" "$TSV"; then continue; fi
      flags=""
      if [ "$kind" != "clean" ]; then for a in $ATTACKERS; do flags="$flags --attack $a=$kind"; done; fi
      # shellcheck disable=SC2086
      if ! OMP_NUM_THREADS=1 java -XX:+UseParallelGC -cp "$CP" dev.ipa.sim.cli.Ipa simulate $SPLIT --seed "$seed" --no-standalone \
        --robust "$robust" $flags --out "$OUT/$name" > "$OUT/$name.log" 2>&1; then
        # An honest peer diverged (its parameters became NaN) and the run ended: the attack wrecked the federation.
        printf '%s\t%s\t%s\tdiverged\tdiverged\n' "$kind" "$robust" "$seed" >> "$TSV"
        tail -1 "$TSV"
        continue
      fi
      python3 - "$OUT/$name/report.json" "$ATTACKERS" "$kind" "$robust" "$seed" >> "$TSV" <<'PY'
import json, sys, math
path, attackers, kind, robust, seed = sys.argv[1:]
# The same honest peers in every row, the clean one included, so rows compare like with like.
bad = {int(a) for a in attackers.split()}
r = json.load(open(path))
last = {}
for row in r["rounds"]:
    for i, p in enumerate(row["peers"]):
        if p["accuracy"] is not None and not (isinstance(p["accuracy"], float) and math.isnan(p["accuracy"])):
            last[p["id"]] = p
ids = sorted(last)
honest = [last[i] for k, i in enumerate(ids) if k not in bad]
acc = sum(p["accuracy"] for p in honest) / len(honest)
per = sum(p["personalAccuracy"] for p in honest) / len(honest)
print("\t".join([kind, robust, seed, "%.4f" % acc, "%.4f" % per]))
PY
      tail -1 "$TSV"
    done
  done
done
python3 - "$TSV" > "$OUT/table.md" <<'PY'
import sys, statistics as st, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
g = collections.OrderedDict()
for k, rb, s, a, p in rows: g.setdefault((k, rb), []).append((a, p))
print("| attack | defences | seeds | honest consensus acc | honest personal acc |")
print("|---|---|---|---|---|")
for (k, rb), v in g.items():
    done = [(float(a), float(p)) for a, p in v if a != "diverged"]
    div = len(v) - len(done)
    sd = lambda xs: st.stdev(xs) if len(xs) > 1 else float("nan")
    note = "" if div == 0 else " (%d of %d runs diverged: an honest peer's parameters became NaN)" % (div, len(v))
    if not done:
        print("| %s | %s | %d | diverged | diverged%s |" % (k, rb, len(v), note)); continue
    a = [x[0] for x in done]; p = [x[1] for x in done]
    print("| %s | %s | %d | %.4f ± %.4f | %.4f ± %.4f%s |" % (k, rb, len(v), st.mean(a), sd(a), st.mean(p), sd(p), note))
PY
cat "$OUT/table.md"
