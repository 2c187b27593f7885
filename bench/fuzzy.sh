#!/usr/bin/env bash
# Whole-command timings for `tmkit match` and `tmkit analyze` (figures in
# docs/performance/fuzzy.md). Needs the shared benchmark harness and data:
#   ../shared/eval/fuzzy/bench.py and ../shared/data/tm/{en-fr,en-ja}.tsv
# Memories are built once into $BENCH_DIR (default /tmp): b100k and b1m.
#
#   bench/fuzzy.sh            # build if needed, then run everything
#   NO_BUILD=1 CARGO_TARGET_DIR=/path/to/target BENCH_DIR=/tmp/fuzzy bench/fuzzy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
BENCH_DIR=${BENCH_DIR:-/tmp}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$CARGO_TARGET_DIR/release/tmkit
HARNESS=$SHARED/eval/fuzzy/bench.py
DATA=$SHARED/data/tm

[ -f "$HARNESS" ] || { echo "bench: $HARNESS is absent" >&2; exit 1; }
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet

for size in 100000 1000000; do
  dir=$BENCH_DIR/b$((size / 1000))k
  [ "$size" = 1000000 ] && dir=$BENCH_DIR/b1m
  if [ ! -f "$dir/gt.jsonl" ]; then
    python3 "$HARNESS" build --tsv "$DATA/en-fr.tsv" --size "$size" --out "$dir" \
      --unrelated-tsv "$DATA/en-ja.tsv"
  fi
done

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for dir in "$BENCH_DIR/b100k" "$BENCH_DIR/b1m"; do
  echo "== $dir: indexed (TMX)"
  python3 "$HARNESS" run --dir "$dir" \
    --cmd "$BIN match --tm {tm} --src {src} --tgt {tgt} --min 50 --max 5 --lines --format jsonl {queries}" | tail -4
  echo "== $dir: exhaustive scan over the same interned ids (--exhaustive)"
  python3 "$HARNESS" run --dir "$dir" --no-probe \
    --cmd "$BIN match --exhaustive --tm {tm} --src {src} --tgt {tgt} --min 50 --max 5 --lines --format jsonl {queries}" | tail -2
done

echo "== 100k: the indexed run against the Python reference score (scripts/score_ref.py)"
"$BIN" match -q --tm "$BENCH_DIR/b100k/tm.tmx" --src en --tgt fr --min 50 --max 5 --lines \
  --format jsonl "$BENCH_DIR/b100k/queries.txt" > "$BENCH_DIR/b100k.idx.jsonl"
python3 bench/score_truth.py --dir "$BENCH_DIR/b100k" --results "$BENCH_DIR/b100k.idx.jsonl"

echo "== 1M: index and --exhaustive return the same top 5 (score, source) for every query"
for mode in "" --exhaustive; do
  "$BIN" match -q $mode --tm "$BENCH_DIR/b1m/tm.tmx" --src en --tgt fr --min 50 --max 5 --lines \
    --format jsonl "$BENCH_DIR/b1m/queries.txt" > "$BENCH_DIR/b1m${mode:-.idx}.jsonl"
done
python3 - "$BENCH_DIR/b1m.idx.jsonl" "$BENCH_DIR/b1m--exhaustive.jsonl" <<'PY'
import json, sys
a, b = ([json.loads(l) for l in open(f)] for f in sys.argv[1:3])
key = lambda r: [(m["score"], m["source"]) for m in r["matches"]]
print(f"identical top 5: {sum(key(x) == key(y) for x, y in zip(a, b))}/{len(a)}")
PY

echo "== 1M, one thread, each query 5 times: lookup time, min per query"
awk '{ for (i = 0; i < 5; i++) print }' "$BENCH_DIR/b1m/queries.txt" > "$BENCH_DIR/q5.txt"
RAYON_NUM_THREADS=1 "$BIN" match -q --tm "$BENCH_DIR/b1m/tm.tmx" --src en --tgt fr --min 50 --max 5 \
  --lines --format jsonl "$BENCH_DIR/q5.txt" | python3 -c '
import json, statistics, sys
per = {}
for line in sys.stdin:
    r = json.loads(line)
    per.setdefault(r["query"], []).append(r["ms"])
m = sorted(min(v) for v in per.values())
pct = lambda p: m[round((len(m) - 1) * p)]
print(f"p50 {pct(.5):.2f} ms, p90 {pct(.9):.2f}, p95 {pct(.95):.2f}, max {m[-1]:.2f}, mean {statistics.mean(m):.2f}")'

echo "== 1M TMX: whole process (load + index + 200 queries), peak memory"
/usr/bin/time -v "$BIN" match --tm "$BENCH_DIR/b1m/tm.tmx" --src en --tgt fr --lines --format jsonl \
  "$BENCH_DIR/b1m/queries.txt" 2>&1 >/dev/null | grep -E "tmkit:|Elapsed|Maximum resident"

echo "== analyze: 10,000 segments against the 1M memory"
awk -F'\t' 'NR <= 10000 { print $1 }' "$DATA/en-ja.tsv" > "$BENCH_DIR/job10k.txt"
/usr/bin/time -v "$BIN" analyze --lines --tm "$BENCH_DIR/b1m/tm.tmx" --src en --tgt fr \
  "$BENCH_DIR/job10k.txt" 2>&1 | grep -E "tmkit:|Elapsed|User time|System time|Maximum resident|total|%|repetitions|no match"
