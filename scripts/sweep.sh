#!/usr/bin/env bash
# Sweeps IPA settings on one split and prints a table, best first, beside the baselines on the same split.
#
#   scripts/sweep.sh OUT_DIR "SPLIT FLAGS" ["IPA FLAGS" ...]
#
# Example (the 2-peer disjoint sweep in the README):
#   scripts/sweep.sh runs/sweep-2p "--peers 2 --partition disjoint --rounds 20" \
#     "--lambda 1 --no-normalise" "--lambda 0.1" "--lambda 0.01" "--lambda 0.1 --syncs 4"
#
# Each setting is one `./ipa simulate --algo ipa --no-standalone` run; the baselines (local, fedavg, fedprox)
# run once with `--compare` (skip them with SWEEP_NO_BASELINES=1, e.g. for a codec sweep).
# Results: OUT_DIR/sweep.tsv and OUT_DIR/sweep.md (markdown table).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1"; SPLIT="$2"; shift 2
mkdir -p "$OUT"
TSV="$OUT/sweep.tsv"
printf 'setting\tmeanAccuracy\tminAccuracy\tpersonalAccuracy\tbytesSent\tbytesPerExchange\n' > "$TSV"

summarise() { # name report.json [algorithm key]
  python3 - "$1" "$2" "${3:-}" >> "$TSV" <<'PY'
import json, sys
name, path, algo = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.load(open(path))
f = r["algorithms"][algo]["final"] if algo else r["final"]
print("\t".join([name, "%.4f" % f["meanAccuracy"], "%.4f" % f["minAccuracy"], "%.4f" % f["meanPersonalAccuracy"], str(f["bytesSent"]), "%.0f" % f.get("bytesPerExchange", 0)]))
PY
}

if [ "${SWEEP_NO_BASELINES:-0}" != "1" ]; then
  # shellcheck disable=SC2086
  "$ROOT/ipa" simulate $SPLIT --compare local,fedavg,fedprox --out "$OUT/baselines" > "$OUT/baselines.log" 2>&1
  for a in local fedavg fedprox; do summarise "$a" "$OUT/baselines/report.json" "$a"; done
fi
i=0
for setting in "$@"; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  "$ROOT/ipa" simulate $SPLIT --algo ipa --no-standalone $setting --out "$OUT/ipa-$i" > "$OUT/ipa-$i.log" 2>&1
  summarise "ipa $setting" "$OUT/ipa-$i/report.json"
done
python3 - "$TSV" > "$OUT/sweep.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
base = [r for r in rows if not r["setting"].startswith("ipa")]
ipa = sorted([r for r in rows if r["setting"].startswith("ipa")], key=lambda r: -float(r["meanAccuracy"]))
print("| setting | mean acc | min acc | personal acc | bytes sent | bytes per exchange |")
print("|---|---|---|---|---|---|")
for r in ipa + base:
    print("| %s | %s | %s | %s | %.1f MiB | %s |" % (r["setting"], r["meanAccuracy"], r["minAccuracy"], r["personalAccuracy"], int(r["bytesSent"]) / 2**20, r["bytesPerExchange"]))
PY
cat "$OUT/sweep.md"
