#!/usr/bin/env bash
# Whole-command timings for `tmkit tmx` on a large generated memory, with
# the library reader alone (examples/tmx_read: every unit built, nothing
# else done) and lxml's iterparse over the same file in the same run as the
# comparison.
#
#   bash bench/tmx.sh [TUS]        (default 1200000 units, about 525 MB)
#   TMKIT_BASE=/tmp/tmkit-base bash bench/tmx.sh   (also times an older
#       build of tmkit in the same run: before/after under the same load)
#   ONLY=merge bash bench/tmx.sh    (only `tmx merge` of two copies of the
#       memory: its MB/s counts both inputs; with TMKIT_BASE, the two
#       outputs are compared with cmp; `tmx validate` of one copy and
#       lxml's bare iterparse loop in the same run, as references for the
#       machine's speed at the time)
#   NO_BUILD=1 ...                  (time the binaries already built)
#   TMKIT=/path/to/tmkit ...        (time that binary instead of
#       $CARGO_TARGET_DIR/release/tmkit; a `--profile profiling` build
#       runs as fast as the release one)
#
# Needs ../shared/eval/tmx/gen_large.py and the two lobr_*.tmx sources in
# ../shared/data/tmx, python3 with lxml, and /usr/bin/time. Figures are
# wall time, CPU (user+sys) time, throughput on CPU time and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
TUS=${1:-1200000}
SHARED=${SHARED:-../shared}
DATA=$SHARED/data/tmx
WORK=${TMPDIR:-/tmp}/tmkit-bench-tmx
mkdir -p "$WORK"
BIG=$WORK/large_${TUS}.tmx
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release --quiet
  cargo build --release --quiet --example tmx_read
fi
TMKIT=${TMKIT:-$CARGO_TARGET_DIR/release/tmkit}

if [ ! -s "$BIG" ]; then
  python3 "$SHARED/eval/tmx/gen_large.py" \
    --source "$DATA/lobr_calc01-help-weblate-memory.tmx" \
    --source "$DATA/lobr_CG7003.tmx" --tus "$TUS" --out "$BIG" >&2
fi
BYTES=$(stat -c %s "$BIG")
echo "file: $BIG ($BYTES bytes, $TUS units); machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"

measure() { # label, command... (MB/s over $MEASURED_BYTES, default the file)
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
    echo "$label: FAILED"; cat "$WORK/stderr"; return 1; }
  read -r wall user sys kb <"$WORK/time"
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v k="$kb" -v b="${MEASURED_BYTES:-$BYTES}" \
    'BEGIN { cpu = u + s; printf "%-34s wall %6.2f s  cpu %6.2f s  %6.0f MB/s (cpu)  %6.0f MB/s (wall)  peak %6.1f MB\n", l, w, cpu, b / cpu / 1e6, b / w / 1e6, k / 1024 }'
}

# The bare iterparse loop over a file (a command for /usr/bin/time).
LXML_LOOP=(python3 -c '
import sys
from lxml import etree
n = 0
for _, el in etree.iterparse(sys.argv[1], events=("end",), tag="{*}tu", huge_tree=True):
    n += 1
    el.clear(keep_tail=False)
    while el.getprevious() is not None:
        del el.getparent()[0]
print(n)')

if [ "${ONLY:-}" = merge ]; then
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  # Two copies of the memory (the same file twice): every unit a duplicate.
  MEASURED_BYTES=$((2 * BYTES))
  export MEASURED_BYTES
  if [ -n "${TMKIT_BASE:-}" ]; then
    measure "base: tmx merge (2 copies)" "$TMKIT_BASE" -q tmx merge "$BIG" "$BIG" -o "$WORK/merged-base.tmx"
  fi
  measure "tmkit tmx merge (2 copies)" "$TMKIT" -q tmx merge "$BIG" "$BIG" -o "$WORK/merged.tmx"
  if [ -n "${TMKIT_BASE:-}" ]; then
    if cmp "$WORK/merged-base.tmx" "$WORK/merged.tmx"; then echo "outputs: identical (cmp)"; else echo "outputs: DIFFER"; fi
    measure "base: merge --policy newest" "$TMKIT_BASE" -q tmx merge "$BIG" "$BIG" -o "$WORK/merged-base.tmx" --policy newest --conflicts "$WORK/conflicts-base.tsv"
  fi
  measure "tmkit tmx merge --policy newest" "$TMKIT" -q tmx merge "$BIG" "$BIG" -o "$WORK/merged.tmx" --policy newest --conflicts "$WORK/conflicts.tsv"
  if [ -n "${TMKIT_BASE:-}" ]; then
    if cmp "$WORK/merged-base.tmx" "$WORK/merged.tmx" && cmp "$WORK/conflicts-base.tsv" "$WORK/conflicts.tsv"; then
      echo "outputs and conflict lists: identical (cmp)"
    else
      echo "outputs or conflict lists: DIFFER"
    fi
  fi
  MEASURED_BYTES=$BYTES
  measure "reference: tmx validate (1 copy)" "$TMKIT" -q tmx validate "$BIG"
  measure "reference: lxml bare loop (1 copy)" "${LXML_LOOP[@]}" "$BIG"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -f "$WORK"/merged*.tmx "$WORK"/conflicts*.tsv
  exit 0
fi

if [ -n "${TMKIT_BASE:-}" ]; then
  measure "base: tmx validate" "$TMKIT_BASE" -q tmx validate "$BIG"
  measure "base: tmx convert --to jsonl" "$TMKIT_BASE" -q tmx convert --to jsonl "$BIG" -
  measure "base: tmx convert (to TMX 1.4b)" "$TMKIT_BASE" -q tmx convert "$BIG" "$WORK/out.tmx"
  measure "base: tmx stats" "$TMKIT_BASE" -q tmx stats "$BIG"
  measure "base: tmx convert --to tsv" "$TMKIT_BASE" -q tmx convert --to tsv --src en --tgt pt-BR "$BIG" -
fi
measure "library reader alone (tmx_read)" "$CARGO_TARGET_DIR/release/examples/tmx_read" "$BIG"
measure "tmkit tmx validate" "$TMKIT" -q tmx validate "$BIG"
measure "tmkit tmx convert --to jsonl" "$TMKIT" -q tmx convert --to jsonl "$BIG" -
measure "tmkit tmx convert (to TMX 1.4b)" "$TMKIT" -q tmx convert "$BIG" "$WORK/out.tmx"
measure "tmkit tmx stats" "$TMKIT" -q tmx stats "$BIG"
measure "tmkit tmx convert --to tsv" "$TMKIT" -q tmx convert --to tsv --src en --tgt pt-BR "$BIG" -
measure "lxml iterparse (reference.py)" python3 "$SHARED/eval/tmx/reference.py" --stats "$BIG"
measure "lxml iterparse (bare loop)" "${LXML_LOOP[@]}" "$BIG"
rm -f "$WORK/out.tmx"
