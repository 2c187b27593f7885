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

# The job: 10,000 English sentences of the Tatoeba pairs (all of which the
# 1M memory holds): 3,000 as they are (exact matches) and 7,000 edited as a
# new version of a text would be (a word dropped, two swapped, or one
# replaced), which get fuzzy matches or none. Seeded, so every run is the same.
JOB=$BENCH_DIR/pretranslate-job10k.txt
python3 - "$DATA/en-fr.tsv" "$JOB" <<'PY'
import random, sys
rng = random.Random(10)
src = [l.split("\t", 1)[0].strip() for l in open(sys.argv[1], encoding="utf-8")]
pool = [w for s in src[::50] for w in s.split()]
job = []
for n, s in enumerate(src[::7][:10000]):
    words = s.split()
    if n % 10 >= 3 and len(words) > 2:
        k = rng.randrange(len(words) - 1)
        edit = n % 3
        if edit == 0:
            del words[k]
        elif edit == 1:
            words[k], words[k + 1] = words[k + 1], words[k]
        else:
            words[k] = rng.choice(pool)
    job.append(" ".join(words))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(job) + "\n")
PY
echo "== machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%H:%M) UTC"
echo "== job: $(wc -l < "$JOB") segments"

run() { # label, memory, output, extra arguments
  local label=$1 mem=$2 out=$3
  shift 3
  /usr/bin/time -f "   $label: %e s wall, %U s user, %S s sys, %M KB peak" \
    "$BIN" pretranslate --lines --tm "$mem" --src en --tgt fr "$@" "$JOB" -o "$out"
}
echo "== 10,000 segments against the 1M memory"
run "TMX memory, XLIFF 1.2 out" "$M1/tm.tmx" "$BENCH_DIR/pretranslate-10k.xlf"
run "TSV memory, XLIFF 1.2 out" "$M1/tm.tsv" "$BENCH_DIR/pretranslate-10k.xlf"
run "TMX memory, XLIFF 2.0 out" "$M1/tm.tmx" "$BENCH_DIR/pretranslate-10k-20.xlf" --to xliff20
run "TMX memory, TMX out" "$M1/tm.tmx" "$BENCH_DIR/pretranslate-10k.tmx"
if [ -f "$SHARED/schemas/validate.py" ]; then
  python3 "$SHARED/schemas/validate.py" "$BENCH_DIR/pretranslate-10k.xlf" \
    "$BENCH_DIR/pretranslate-10k-20.xlf" "$BENCH_DIR/pretranslate-10k.tmx" | tail -1
fi

# Side by side with translate-toolkit: its pretranslate scores every memory
# unit for every segment, so the comparison runs on a job it can finish:
# 500 segments against a 10,000-unit memory (TMX), both tools, same files.
if command -v pretranslate >/dev/null; then
  SMALL=$BENCH_DIR/pretranslate-small
  mkdir -p "$SMALL"
  head -n 500 "$JOB" > "$SMALL/job.txt"
  awk -F'\t' 'NR % 6 == 1' "$DATA/en-fr.tsv" | head -n 10000 > "$SMALL/memory.tsv"
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
    pretranslate --progress=none --tm "$SMALL/memory.tmx" -s 75 -t "$SMALL/empty.xlf" \
    -i "$SMALL/empty.xlf" -o "$SMALL/ttk.xlf"
  python3 - "$SMALL/tmkit.xlf" "$SMALL/ttk.xlf" <<'PY'
import sys
from translate.storage import xliff
def units(p):
    return [u for u in xliff.xlifffile.parsefile(p).units if not u.isheader()]
def best(u):
    # translate-toolkit writes its matches as <alt-trans>; tmkit fills the target too.
    alts = u.getalttrans()
    return (u.target or "") or (alts[0].target if alts else "")
a = [best(u) for u in units(sys.argv[1])]
b = [best(u) for u in units(sys.argv[2])]
fa = sum(1 for t in a if t); fb = sum(1 for t in b if t)
same = sum(1 for x, y in zip(a, b) if x and x == y)
both = sum(1 for x, y in zip(a, b) if x and y)
print(f"   segments with a suggestion at 75%+: tmkit {fa}/{len(a)}, translate-toolkit {fb}/{len(b)}; "
      f"same best translation in {same} of the {both} both suggest for")
PY
fi
