#!/usr/bin/env bash
# Whole-command timings for `tmkit pretranslate` (figures in
# docs/performance/pretranslate.md), and a side-by-side run with
# translate-toolkit's `pretranslate` on a job it can finish.
#
#   bench/pretranslate.sh         # build the 1M memory if needed, then run
#
# Needs ../shared (eval/fuzzy/bench.py, data/tm/{en-fr,en-ja}.tsv) and, for the
# comparison, `pip install translate-toolkit`. Memories and jobs go to
# $BENCH_DIR (default /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
BENCH_DIR=${BENCH_DIR:-/tmp}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$CARGO_TARGET_DIR/release/tmkit
DATA=$SHARED/data/tm
M1=$BENCH_DIR/b1m

[ -f "$DATA/en-fr.tsv" ] || { echo "bench: $DATA/en-fr.tsv is absent" >&2; exit 1; }
cargo build --release --quiet
if [ ! -f "$M1/tm.tmx" ]; then
  python3 "$SHARED/eval/fuzzy/bench.py" build --tsv "$DATA/en-fr.tsv" --size 1000000 --out "$M1" \
    --unrelated-tsv "$DATA/en-ja.tsv"
fi

# The job: 10,000 English sentences of the Tatoeba pairs, every 7th line
# (most are in the memory, as in real jobs some exactly, many only nearly).
JOB=$BENCH_DIR/pretranslate-job10k.txt
awk -F'\t' 'NR % 7 == 0 { print $1 }' "$DATA/en-fr.tsv" | head -n 10000 > "$JOB"
echo "== machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%H:%M) UTC"
echo "== job: $(wc -l < "$JOB") segments"

run() { # label, output, memory
  /usr/bin/time -f "   $1: %e s wall, %U s user, %S s sys, %M KB peak" \
    "$BIN" pretranslate --lines --tm "$3" --src en --tgt fr "$JOB" -o "$2"
}
for mem in "$M1/tm.tmx" "$M1/tm.tsv"; do
  echo "== 10,000 segments against the 1M memory ($(basename "$mem"))"
  run "XLIFF 1.2" "$BENCH_DIR/pretranslate-10k.xlf" "$mem"
  run "XLIFF 2.0" "$BENCH_DIR/pretranslate-10k.xlf20.xlf" "$mem" 2>/dev/null || true
  run "TMX" "$BENCH_DIR/pretranslate-10k.tmx" "$mem"
done
if [ -f "$SHARED/schemas/validate.py" ]; then
  python3 "$SHARED/schemas/validate.py" "$BENCH_DIR/pretranslate-10k.xlf" "$BENCH_DIR/pretranslate-10k.tmx" | tail -1
fi

# Side by side with translate-toolkit: its pretranslate scores every memory
# unit for every segment, so the comparison runs on a job it can finish:
# 500 segments against a 10,000-unit memory (TMX), both tools, same files.
if command -v pretranslate >/dev/null; then
  SMALL=$BENCH_DIR/pretranslate-small
  mkdir -p "$SMALL"
  awk -F'\t' 'NR % 7 == 0 { print $1 }' "$DATA/en-fr.tsv" | head -n 500 > "$SMALL/job.txt"
  awk -F'\t' 'NR % 7 != 0' "$DATA/en-fr.tsv" | awk 'NR % 6 == 1' | head -n 10000 > "$SMALL/memory.tsv"
  "$BIN" tmx convert --src en --tgt fr "$SMALL/memory.tsv" "$SMALL/memory.tmx" -q
  # The same job as an XLIFF with empty targets, for both tools.
  "$BIN" pretranslate -q --lines --min 100 --max 1 --tm "$SMALL/memory.tmx" --src en --tgt fr \
    "$SMALL/job.txt" -o "$SMALL/empty.xlf"
  python3 - "$SMALL/empty.xlf" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = re.sub(r"<target[^>]*>.*?</target>\s*|<alt-trans.*?</alt-trans>\s*|<note>.*?</note>\s*", "", s, flags=re.S)
open(p, "w", encoding="utf-8").write(s)
PY
  echo "== side by side: 500 segments against a 10,000-unit memory, min 75"
  /usr/bin/time -f "   tmkit pretranslate: %e s wall, %U s user, %M KB peak" \
    "$BIN" pretranslate -q --tm "$SMALL/memory.tmx" --src en --tgt fr "$SMALL/empty.xlf" -o "$SMALL/tmkit.xlf"
  /usr/bin/time -f "   translate-toolkit pretranslate: %e s wall, %U s user, %M KB peak" \
    pretranslate --progress=none --tm "$SMALL/memory.tmx" -s 75 -i "$SMALL/empty.xlf" -o "$SMALL/ttk.xlf"
  python3 - "$SMALL/tmkit.xlf" "$SMALL/ttk.xlf" <<'PY'
import sys
from translate.storage import xliff
def filled(p):
    units = [u for u in xliff.xlifffile.parsefile(p).units if not u.isheader()]
    return {u.source: (u.target or "") for u in units}
a, b = filled(sys.argv[1]), filled(sys.argv[2])
fa = sum(1 for t in a.values() if t); fb = sum(1 for t in b.values() if t)
same = sum(1 for k in a if a[k] and a[k] == b.get(k))
print(f"   filled: tmkit {fa}/{len(a)}, translate-toolkit {fb}/{len(b)}; same target where both filled: {same}")
PY
fi
