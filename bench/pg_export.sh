#!/usr/bin/env bash
# Export speed of a PostgreSQL store (docs/performance/store.md): wall and
# CPU of `tmkit tm export` and the CPU of the server backends serving the
# store's database (polled from /proc while the export runs, so run it
# where the server is local), alternating binaries in one session:
#
#   TMKIT_BENCH_PG=postgres://u:p@127.0.0.1/db bench/pg_export.sh BIN [BIN…]
#
# The store is the 1M benchmark memory imported by bench/store.sh
# (IMPORT_ONLY=1). OUT_DIR (default /dev/shm) holds the exports, one per
# binary; ROUNDS (default 3) alternations; the exports are compared.
set -euo pipefail
: "${TMKIT_BENCH_PG:?names the store}"
OUT_DIR=${OUT_DIR:-/dev/shm}
ROUNDS=${ROUNDS:-3}
db=$(psql -Atq "$TMKIT_BENCH_PG" -c 'SELECT current_database()')
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%dT%H:%MZ)"
for _ in $(seq "$ROUNDS"); do
  n=0
  for bin in "$@"; do
    n=$((n + 1))
    out=$OUT_DIR/pg_export.$n.tmx
    declare -A ticks=()
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -o "$out.time" -f '%e %U %S' "$bin" -q tm export --tm "$TMKIT_BENCH_PG" -o "$out" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      for p in $(pgrep -f "postgres: .*$db" || true); do
        v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true)
        [ -z "$v" ] || ticks[$p]=$v
      done
      sleep 0.02
    done
    wait "$pid"
    server=0
    for p in "${!ticks[@]}"; do server=$((server + ticks[$p])); done
    unset ticks
    read -r wall user sys <"$out.time"
    awk -v b="$(stat -c %s "$out")" -v w="$wall" -v c="$(echo "$user + $sys" | bc)" \
      -v s="$(echo "scale=2; $server / $(getconf CLK_TCK)" | bc)" -v l="$load" -v n="$bin" 'BEGIN {
      printf "%s (load %s): %.0f MB, wall %.2f s = %.0f MB/s; client CPU %.2f s; server CPU %.2f s\n",
        n, l, b / 1e6, w, b / 1e6 / w, c, s }'
  done
done
if [ "$#" -gt 1 ]; then
  for n in $(seq 2 "$#"); do
    cmp "$OUT_DIR/pg_export.1.tmx" "$OUT_DIR/pg_export.$n.tmx" && echo "export $n: identical to export 1"
  done
fi
