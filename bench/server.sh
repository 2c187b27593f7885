#!/usr/bin/env bash
# Server figures (issue #12; recorded in docs/PERFORMANCE.md): `tmkit serve`
# over the 1M-segment benchmark memory, loaded from a second process on
# loopback (examples/loadgen.rs, an HTTP/1.1 client, 16 keep-alive
# connections, bounded in time):
#   1. start-up with the 1M SQLite store: launch to the first fuzzy answer;
#   2. fuzzy lookups from SQLite, closed loop (each connection sends as soon
#      as its answer is in): the most req/s, with p50, p99, errors;
#   3. the same lookups open loop at RATE req/s in total (wrk2-style: sent on
#      a fixed schedule, latency from the intended send time, so a stall
#      counts for every request it delays): the latency figures of the issue;
#   4. mixed loads (90% lookups, 10% adds) on a copy of the store, each with
#      RSS (anonymous and file-backed) sampled every 5 s: first each add is
#      deleted by the next request (the memory ends as it began: RSS must
#      stay flat after warm-up), then adds of new units, checked to be all
#      in the store afterwards, with the RSS growth per added unit beside what
#      the server says its change levels hold; after each, the adds and
#      deletes accepted and the store's unit count (read by the CLI once the
#      server closed it), which must be the count before plus the units
#      added minus those deleted;
#   5. the same lookups from PostgreSQL when TMKIT_BENCH_PG names a database;
#   6. translate-toolkit's tmserver on the same memory and queries.
#
# Server CPU per request is the server's user+sys time over a run divided
# by the requests answered (the load generator's own CPU is not in it).
#
#   bench/server.sh
#   TMKIT_BENCH_PG=postgres://tmkit:tmkit@127.0.0.1:5432/tmkit_bench bench/server.sh
#   LOAD_SECONDS=30 MIXED_SECONDS=60 TMSERVER_SIZE=100000 bench/server.sh
#   SIZE=100000 bench/server.sh     # every 10th unit of the 1M memory, same queries
#   NO_BUILD=1 LOADGEN=/path/to/loadgen bench/server.sh   # binaries already built
#   NO_BUILD=1 BENCH_DIR=/tmp/benchsrv RATE=2000 NO_TMSERVER=1 bench/server.sh
#
# Needs python3 with numpy and rapidfuzz (the harness's `build`); tmserver
# needs translate-toolkit < 3.19 (3.19 removed its tmdb storage), installed
# here into a virtual environment under $BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
BENCH_DIR=${BENCH_DIR:-/tmp}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$CARGO_TARGET_DIR/release/tmkit
LOADGEN=${LOADGEN:-$CARGO_TARGET_DIR/release/examples/loadgen}
HARNESS=$SHARED/eval/fuzzy/bench.py
B1M=$BENCH_DIR/b1m
# The memory's size: 1M, or a sample of it taking every k-th unit (the
# harness writes one <tu> a line), which keeps the mix of short real and
# longer composed segments; the queries stay the same.
SIZE=${SIZE:-1000000}
TMX=$B1M/tm.tmx
DB=$BENCH_DIR/b1m.tmdb
if [ "$SIZE" != 1000000 ]; then
  TMX=$BENCH_DIR/b1m-sample-$SIZE.tmx
  DB=$BENCH_DIR/b1m-sample-$SIZE.tmdb
fi
PORT=${PORT:-18765}
CONNS=${CONNS:-16}
LOAD_SECONDS=${LOAD_SECONDS:-20}
MIXED_SECONDS=${MIXED_SECONDS:-60}
# The open-loop rate, all connections together (the issue's 2,000 req/s).
RATE=${RATE:-2000}
# tmserver loads its memory through Python: the largest size it is run at.
TMSERVER_SIZE=${TMSERVER_SIZE:-$SIZE}
TIME='%e s wall, %U s user, %S s sys, %M KB peak'
LOOKUP="/v1/tms/default/lookup?src=en&tgt=fr&min=50&max=5&q={q}"

[ -f "$HARNESS" ] || { echo "bench: $HARNESS is absent" >&2; exit 1; }
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --bin tmkit --example loadgen
if [ ! -f "$B1M/gt.jsonl" ]; then
  python3 "$HARNESS" build --tsv "$SHARED/data/tm/en-fr.tsv" --size 1000000 --out "$B1M" \
    --unrelated-tsv "$SHARED/data/tm/en-ja.tsv"
fi
QUERIES=$B1M/queries.txt
sample() { # SIZE OUT: every k-th unit of the 1M TMX
  [ -f "$2" ] || awk -v k=$((1000000 / $1)) '!/^<tu>/ || (n++ % k == 0)' "$B1M/tm.tmx" > "$2"
}
[ "$SIZE" = 1000000 ] || sample "$SIZE" "$TMX"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; load: $(load); $(date -u +%FT%H:%MZ)"

if [ ! -f "$DB" ]; then
  echo "== import the $SIZE-unit TMX into SQLite (once; at 1M bench/store.sh makes the same file)"
  /usr/bin/time -f "$TIME" "$BIN" -q tm import --tm "$DB" "$TMX"
fi

TOKEN_FILE=$BENCH_DIR/server-bench.token
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TOKEN_FILE"
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# "RSS anon file" in KB: heap and stacks apart from mapped files (the index).
rss_parts() { awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print r, a, f}' "/proc/$1/status"; }
# Starts `tmkit serve` on STORE (extra arguments follow) and prints the time
# from launch to the first fuzzy answer, and the server's CPU time until then.
start_server() {
  local store=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  "$BIN" serve --tm "$store" --bind "127.0.0.1:$PORT" --token-file "$TOKEN_FILE" "$@" \
    2>"$BENCH_DIR/server-bench.log" &
  SERVER_PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1/tms/default/lookup?src=en&tgt=fr&q=The%20talks%20resumed."; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$BENCH_DIR/server-bench.log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  echo "start-up to first fuzzy answer: $(( (t1 - t0) / 1000000 )) ms wall," \
    "$(( $(cpu_ticks "$SERVER_PID") * 1000 / $(getconf CLK_TCK) )) ms server CPU, RSS $(( $(rss_kb "$SERVER_PID") / 1024 )) MB (load $(load))"
}
# Runs the load generator against the server (arguments follow), printing
# its JSON report and the server's CPU time over the run, per request too.
run_load() {
  local c0 c1 report ms
  c0=$(cpu_ticks "$SERVER_PID")
  report=$("$LOADGEN" --addr "127.0.0.1:$PORT" --connections "$CONNS" --queries "$QUERIES" "$@")
  c1=$(cpu_ticks "$SERVER_PID")
  echo "$report"
  echo "$report" > "$BENCH_DIR/server-bench.last.json"
  ms=$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))
  echo "server CPU over the run: $ms ms, $(echo "$report" | python3 -c 'import json,sys; print("%.3f" % (int(sys.argv[1]) / max(json.load(sys.stdin)["requests"], 1)))' "$ms") ms per request; load after: $(load)"
}
# Samples the server's RSS every 5 s into FILE until it stops.
sample_rss() {
  ( while kill -0 "$SERVER_PID" 2>/dev/null; do echo "$(date +%s) $(rss_parts "$SERVER_PID")"; sleep 5; done ) \
    > "$1" 2>/dev/null &
  SAMPLER=$!
}
# Prints the samples of FILE (MB) and the growth from the sample after the
# 10 s warm-up to the last.
report_rss() {
  echo "RSS samples every 5 s, MB (total/anon/file): $(awk '{printf "%d/%d/%d ", $2/1024, $3/1024, $4/1024}' "$1")"
  # A zero sample was taken after the server exited: not a measurement.
  awk 'NF < 3 || $2 + 0 == 0 {next} ++n == 3 {r0 = $2; a0 = $3} {r = $2; a = $3} END {if (n >= 3) printf "after the 10 s warm-up to the end: RSS %+.1f MB, anon %+.1f MB\n", (r - r0) / 1024, (a - a0) / 1024}' "$1"
}

lookups() {
  local store=$1 label=$2
  echo "== $label: start-up (the fuzzy index loaded from its file)"
  start_server "$store"
  echo "== $label: warm-up, 3 s"
  "$LOADGEN" --addr "127.0.0.1:$PORT" --connections "$CONNS" --queries "$QUERIES" --seconds 3 --get "$LOOKUP" >/dev/null
  echo "== $label: fuzzy lookups, $CONNS connections, closed loop (the most req/s), $LOAD_SECONDS s"
  run_load --seconds "$LOAD_SECONDS" --get "$LOOKUP"
  echo "== $label: fuzzy lookups, $CONNS connections, open loop at $RATE req/s (latency from the intended send), $LOAD_SECONDS s"
  run_load --seconds "$LOAD_SECONDS" --rate "$RATE" --get "$LOOKUP"
  stop_server
}

lookups "$DB" "SQLite $SIZE"

MIXED=$BENCH_DIR/b1m-mixed-$SIZE.tmdb
fresh_copy() {
  rm -f "$MIXED" "$MIXED"-* "$MIXED".*
  cp "$DB" "$MIXED"
  for f in "$DB".*.fzi; do [ -e "$f" ] && cp "$f" "$MIXED${f#"$DB"}"; done
}
# Units in STORE, counted by the CLI (the server closed).
units_in() {
  "$BIN" -q tm stats --tm "$1" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["units"])'
}
# After a mixed run on STORE that began with BEFORE units: the adds and
# deletes the last load report counts, and the store's count afterwards,
# which must be BEFORE + units added - units deleted.
check_units() {
  local store=$1 before=$2 after
  after=$(units_in "$store")
  python3 - "$BENCH_DIR/server-bench.last.json" "$before" "$after" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
before, after = int(sys.argv[2]), int(sys.argv[3])
deleted = r.get("deletes_accepted", 0)
expected = before + r["units_added"] - deleted
print(f"adds sent {r['adds_sent']}, accepted {r['adds_accepted']} ({r['units_added']} units); "
      f"deletes sent {r.get('deletes_sent', 0)}, accepted {deleted}; adds left in the store {r['adds_kept']}; "
      f"units before {before}, after {after}, expected {expected}: {'consistent' if after == expected else 'MISMATCH'}")
sys.exit(0 if after == expected else 1)
PY
}

# Set when a unit count after a mixed run is off; the script still runs the
# other figures, then exits 1 (finish).
MISMATCH=
finish() {
  if [ -n "$MISMATCH" ]; then
    echo "bench: unit counts MISMATCH after a mixed run (above)" >&2
    exit 1
  fi
  exit 0
}

echo "== mixed load, each add deleted by the next request (the memory ends as it began): $MIXED_SECONDS s"
fresh_copy
before=$(units_in "$MIXED")
start_server "$MIXED"
# The listing waits for the start-up count: asked now, it is not in the samples.
curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1/tms"
sample_rss "$BENCH_DIR/server-bench.rss-deleted"
run_load --seconds "$MIXED_SECONDS" --get "$LOOKUP" --add-every 10 --token "$(cat "$TOKEN_FILE")" \
  --tag "del$(date +%s)" --src en --tgt fr --delete-added
stop_server
kill "$SAMPLER" 2>/dev/null || true
report_rss "$BENCH_DIR/server-bench.rss-deleted"
grep 'change levels' "$BENCH_DIR/server-bench.log" || true
check_units "$MIXED" "$before" || MISMATCH=1  # the other figures still run; exit 1 at the end

echo "== mixed load on a copy of the store: 90% lookups, 10% adds of new units, $MIXED_SECONDS s"
fresh_copy
before=$(units_in "$MIXED")
start_server "$MIXED"
TAG=bench$(date +%s)
ADDED=$BENCH_DIR/server-bench.added
curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1/tms"
sample_rss "$BENCH_DIR/server-bench.rss"
run_load --seconds "$MIXED_SECONDS" --get "$LOOKUP" --add-every 10 --token "$(cat "$TOKEN_FILE")" \
  --tag "$TAG" --add-log "$ADDED" --src en --tgt fr
stop_server
kill "$SAMPLER" 2>/dev/null || true
report_rss "$BENCH_DIR/server-bench.rss"
# (The listing's counts are refreshed in the background after writes: the
# adds accepted are the load generator's log.)
added=$(grep -c . "$ADDED" || true)
levels=$(grep 'change levels' "$BENCH_DIR/server-bench.log" || true)
echo "$levels"
# RSS growth per added unit (after warm-up, so the caches are filled) beside
# what the change levels hold per unit, as the server counted them at exit.
awk -v added="$added" -v levels="$levels" '
  NF < 3 || $2 + 0 == 0 {next}
  ++n == 3 {a0 = $3; t0 = $1} {a = $3; t = $1}
  END {
    kb = 0; if (match(levels, /[0-9]+ KB/)) kb = substr(levels, RSTART, RLENGTH - 3);
    if (n >= 3 && added > 0)
      printf "anon RSS growth after warm-up: %.0f bytes per added unit (over %d s, about %d units); the change levels hold %.0f bytes per unit\n",
        (a - a0) * 1024 / (added * (t - t0) / (t - t0 + 10)), t - t0, added * (t - t0) / (t - t0 + 10), kb * 1024 / added
  }' "$BENCH_DIR/server-bench.rss"
check_units "$MIXED" "$before" || MISMATCH=1  # the other figures still run; exit 1 at the end
# Every accepted add must be in the store, read back after the server closed it.
"$BIN" -q tm search --tm "$MIXED" --lang en --limit 10000000 --format jsonl "$TAG" \
  | python3 -c '
import json, sys
stored = {v["text"] for line in sys.stdin for v in json.loads(line)["variants"] if v["lang"] == "en"}
added = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l]
missing = [a for a in added if a not in stored]
print(f"adds accepted: {len(added)}; in the store afterwards: {len(added) - len(missing)}; missing: {len(missing)}")
sys.exit(1 if missing else 0)' "$ADDED"

if [ -n "${TMKIT_BENCH_PG:-}" ]; then
  if ! psql -qtA "$TMKIT_BENCH_PG" -c 'SELECT count(*) FROM units' 2>/dev/null | grep -qx "$SIZE"; then
    echo "== import the $SIZE-unit TMX into PostgreSQL"
    psql -q "$TMKIT_BENCH_PG" -c 'DROP TABLE IF EXISTS fields, variants, units, origins, tmkit_changes, tmkit_meta CASCADE' >/dev/null
    /usr/bin/time -f "$TIME" "$BIN" -q tm import --tm "$TMKIT_BENCH_PG" "$TMX"
  fi
  lookups "$TMKIT_BENCH_PG" "PostgreSQL $SIZE"
fi

if [ -n "${NO_TMSERVER:-}" ]; then
  echo "== tmserver skipped (NO_TMSERVER); done; load: $(load); $(date -u +%H:%MZ)"
  finish
fi
echo "== translate-toolkit tmserver on the same memory ($TMSERVER_SIZE units) and queries"
VENV=$BENCH_DIR/ttk-tmserver
if [ ! -x "$VENV/bin/tmserver" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "translate-toolkit<3.19" cheroot Levenshtein
fi
TTDB=$BENCH_DIR/b1m-tmserver-$TMSERVER_SIZE.db
TTTMX=$B1M/tm.tmx
if [ "$TMSERVER_SIZE" != 1000000 ]; then
  TTTMX=$BENCH_DIR/b1m-sample-$TMSERVER_SIZE.tmx
  sample "$TMSERVER_SIZE" "$TTTMX"
fi
if [ ! -f "$TTDB" ]; then
  echo "build_tmdb of $TTTMX:"
  /usr/bin/time -f "$TIME" "$VENV/bin/build_tmdb" -d "$TTDB" -s en -t fr "$TTTMX" 2>&1 | grep -v Levenshtein || true
fi
t0=$(date +%s%N)
"$VENV/bin/tmserver" -d "$TTDB" -b 127.0.0.1 -p "$PORT" --max-candidates 5 --min-similarity 50 \
  2>"$BENCH_DIR/tmserver-bench.log" &
SERVER_PID=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/tmserver/en/fr/unit/The%20talks%20resumed."; do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$BENCH_DIR/tmserver-bench.log" >&2; exit 1; }
  sleep 0.05
done
echo "tmserver start-up to first answer: $(( ($(date +%s%N) - t0) / 1000000 )) ms wall"
echo "== tmserver: lookups, $CONNS connections, $LOAD_SECONDS s"
run_load --seconds "$LOAD_SECONDS" --get "/tmserver/en/fr/unit/{q}"
stop_server
echo "== done; load: $(load); $(date -u +%H:%MZ)"
finish
