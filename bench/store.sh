#!/usr/bin/env bash
# Store figures (docs/performance/store.md): import of the 1M benchmark
# memory into SQLite (and PostgreSQL when TMKIT_BENCH_PG names a database),
# open + first fuzzy answer, lookup latency and recall through the shared
# harness, concordance latency, export speed, and the TMX round trip.
#
#   bench/store.sh                         # SQLite
#   TMKIT_BENCH_PG=postgres://u:p@127.0.0.1/db bench/store.sh
#   NO_BUILD=1 B1M=/tmp/benchsrv/b1m BENCH_DIR=/tmp/me bench/store.sh
#
# B1M is the benchmark folder (tm.tmx, queries.txt, gt.jsonl; built by the
# harness when absent), BENCH_DIR where the store and outputs are written,
# NO_BUILD=1 uses the release binary as it is (BIN= another one). RT=1 runs
# the whole script at real-time priority (`chrt -f 10`, root): on a machine
# shared with builds, wall times and per-query latencies then measure the
# work rather than the waits for a core; say so when quoting them.
# ONLY_PG=1 runs the PostgreSQL part alone (TMKIT_BENCH_PG set; no SQLite
# store, no round trip); IMPORT_ONLY=1 stops after the import(s).
set -euo pipefail
if [ -n "${RT:-}" ] && [ -z "${STORE_BENCH_RT:-}" ]; then
  STORE_BENCH_RT=1 exec chrt -f 10 "$0" "$@"
fi
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
BENCH_DIR=${BENCH_DIR:-/tmp}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BIN:-$CARGO_TARGET_DIR/release/tmkit}
HARNESS=$SHARED/eval/fuzzy/bench.py
B1M=${B1M:-$BENCH_DIR/b1m}
DB=$BENCH_DIR/b1m.tmdb
TIME='%e s wall, %U s user, %S s sys, %M KB peak'
# CPU seconds (user + sys) of a run timed with `-o FILE -f '%U %S'`.
cpu_of() { awk '{printf "%.2f", $1 + $2}' "$1"; }

[ -f "$HARNESS" ] || { echo "bench: $HARNESS is absent" >&2; exit 1; }
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --bin tmkit
mkdir -p "$BENCH_DIR"
if [ ! -f "$B1M/gt.jsonl" ]; then
  python3 "$HARNESS" build --tsv "$SHARED/data/tm/en-fr.tsv" --size 1000000 --out "$B1M" \
    --unrelated-tsv "$SHARED/data/tm/en-ja.tsv"
fi
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ); scheduling: $(chrt -p $$ | head -1 | sed 's/.*: //')"

stores=()
if [ -n "${ONLY_PG:-}" ]; then
  [ -n "${TMKIT_BENCH_PG:-}" ] || { echo "bench: ONLY_PG=1 needs TMKIT_BENCH_PG" >&2; exit 2; }
else
echo "== import 1M TMX ($(( $(stat -c %s "$B1M/tm.tmx") / 1000000 )) MB) into SQLite (concordance + fuzzy index included)"
rm -f "$DB" "$DB"-* "$DB".*.fzi
/usr/bin/time -f "$TIME" "$BIN" tm import --tm "$DB" "$B1M/tm.tmx"
tmx_bytes=$(stat -c %s "$B1M/tm.tmx")
db_bytes=$(stat -c %s "$DB")
fzi_bytes=$(cat "$DB".*.fzi | wc -c)
awk -v t="$tmx_bytes" -v d="$db_bytes" -v f="$fzi_bytes" 'BEGIN {
  printf "store: %.1f MB = %.2f x the TMX (%.1f MB); with the fuzzy index file (%.1f MB) beside it: %.1f MB = %.2f x\n",
    d / 1e6, d / t, t / 1e6, f / 1e6, (d + f) / 1e6, (d + f) / t }'
python3 - "$DB" <<'PY' || true
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 5").fetchall()
print("largest b-trees: " + ", ".join(f"{n} {b / 1e6:.1f} MB" for n, b in rows))
PY
stores+=("$DB")
fi

if [ -n "${TMKIT_BENCH_PG:-}" ]; then
  # CPU of every PostgreSQL process, live ones and the postmaster's reaped
  # children (clock ticks): the server's share of the import. Other clients
  # of the same cluster count too, so run it on a quiet cluster.
  pg_cpu() {
    local pm total=0
    pm=$(pgrep -o -x postgres || pgrep -o postgres || true)
    [ -n "$pm" ] || { echo 0; return; }
    total=$(awk '{print $16 + $17}' "/proc/$pm/stat")
    for p in $(pgrep -x postgres); do
      total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
  }
  psql -q "$TMKIT_BENCH_PG" -c 'DROP TABLE IF EXISTS fields, variants, units, origins, tmkit_changes, tmkit_meta CASCADE' >/dev/null
  echo "== import 1M TMX into PostgreSQL (bulk load: COPY, indexes built after; fuzzy index included)"
  c0=$(pg_cpu)
  /usr/bin/time -f "$TIME" "$BIN" tm import --tm "$TMKIT_BENCH_PG" "$B1M/tm.tmx"
  c1=$(pg_cpu)
  echo "PostgreSQL server CPU during the import: $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) )) ms (every client of the cluster)"
  echo "database: $(psql -Atq "$TMKIT_BENCH_PG" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
  stores+=("$TMKIT_BENCH_PG")
fi
[ -z "${IMPORT_ONLY:-}" ] || exit 0

for store in "${stores[@]}"; do
  echo "== $store: open + first fuzzy answer (index loaded from its file)"
  /usr/bin/time -f "$TIME" "$BIN" -q match --tm "$store" --src en --tgt fr --format jsonl \
    "The minister said on Monday that the talks would resume." >/dev/null
  echo "== $store: 200 queries through the harness (recall against the exhaustive ground truth; latency from the tool's per-query ms)"
  python3 "$HARNESS" run --dir "$B1M" \
    --cmd "/usr/bin/time -o $BENCH_DIR/b1m.rss -f %M $BIN match --tm $store --src {src} --tgt {tgt} --min 50 --max 5 --lines --format jsonl {queries}" | tail -4
  echo "peak memory of the 200-query process: $(( $(tail -1 "$BENCH_DIR/b1m.rss") / 1024 )) MB"
  echo "== $store: concordance, 50 queries (whole command, process start included)"
  head -50 "$B1M/queries.txt" | awk '{print $2, $3}' | while read -r q; do
    s=$(date +%s%N); "$BIN" -q tm search --tm "$store" --limit 20 "$q" >/dev/null; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | sort -n | awk '{a[NR]=$1} END {printf "concordance: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n", a[int(NR*0.5)+1]/1000, a[int(NR*0.95)]/1000, a[NR]/1000}'
  echo "== $store: export 1M units to TMX"
  /usr/bin/time -o "$BENCH_DIR/b1m.time" -f '%U %S %e' "$BIN" -q tm export --tm "$store" -o "$BENCH_DIR/b1m.export.tmx"
  size=$(stat -c %s "$BENCH_DIR/b1m.export.tmx")
  cpu=$(cpu_of "$BENCH_DIR/b1m.time")
  wall=$(awk '{print $3}' "$BENCH_DIR/b1m.time")
  echo "export: $((size / 1000000)) MB; CPU ${cpu} s: $(awk -v b="$size" -v c="$cpu" 'BEGIN {printf "%.0f", b / 1e6 / c}') MB/s of CPU; wall ${wall} s: $(awk -v b="$size" -v w="$wall" 'BEGIN {printf "%.0f", b / 1e6 / w}') MB/s"
done

[ -z "${ONLY_PG:-}" ] || exit 0
echo "== TMX -> store -> TMX round trip on every file of ../shared/data/tmx"
python3 "$SHARED/eval/tmx/conformance.py" --corpus "$SHARED/data/tmx" --roundtrip-cmd \
  "$BIN -q tm import --tm {out}.tmdb --on-duplicate add {in} && $BIN -q tm export --tm {out}.tmdb -o {out}" | tail -1
