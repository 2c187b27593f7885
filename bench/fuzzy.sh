#!/usr/bin/env bash
# Whole-command timings for `tmkit match` and `tmkit analyze` (figures in
# docs/performance/fuzzy.md). Needs the shared benchmark harness and data:
#   ../shared/eval/fuzzy/bench.py and ../shared/data/tm/{en-fr,en-ja}.tsv
# Memories are built once into $BENCH_DIR (default /tmp): b100k and b1m.
#
#   bench/fuzzy.sh            # build if needed, then run everything
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
cargo build --release --quiet

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

echo "== 1M TMX: whole process (load + index + 200 queries), peak memory"
/usr/bin/time -v "$BIN" match --tm "$BENCH_DIR/b1m/tm.tmx" --src en --tgt fr --lines --format jsonl \
  "$BENCH_DIR/b1m/queries.txt" 2>&1 >/dev/null | grep -E "tmkit:|Elapsed|Maximum resident"

echo "== analyze: 10,000 segments against the 1M memory"
awk -F'\t' 'NR <= 10000 { print $1 }' "$DATA/en-ja.tsv" > "$BENCH_DIR/job10k.txt"
/usr/bin/time -v "$BIN" analyze --lines --tm "$BENCH_DIR/b1m/tm.tmx" --src en --tgt fr \
  "$BENCH_DIR/job10k.txt" 2>&1 | grep -E "tmkit:|Elapsed|Maximum resident|total|100%|no match"
