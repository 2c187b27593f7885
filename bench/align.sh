#!/bin/sh
# Sentence alignment: tmkit align (full and --method length, i.e. Gale-Church)
# and hunalign, on the same documents in the same run, scored by the shared
# harness (strict and lax F1 of beads, sentences per second per pair).
#
# Usage: bench/align.sh [GOLD_DIR]
#   GOLD_DIR   documents with gold beads (default ../shared/data/align)
#   HUNALIGN   path of a hunalign binary; the hunalign rows are skipped with a
#              reason when it is unset or not executable
#   DICTS      dictionaries <sl>-<tl>.dic for both tools (default GOLD_DIR/dicts)
#   TMKIT      the tmkit binary (default target/release/tmkit, built if absent)
#   NO_BUILD   set to 1 to never build: a missing binary is then an error
#   WITH_TM    set to 1 to time the whole command with a memory (--tm) too
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
gold=${1:-$here/../shared/data/align}
dicts=${DICTS:-$gold/dicts}
eval_py=$(dirname "$gold")/../eval/align/align_eval.py
[ -f "$eval_py" ] || eval_py=$here/../shared/eval/align/align_eval.py
if [ ! -d "$gold" ] || [ ! -f "$eval_py" ]; then
  echo "skipped: no gold data at $gold or no scorer at $eval_py" >&2
  exit 0
fi
# Absolute paths: the scorer runs hunalign in a temporary folder.
gold=$(cd "$gold" && pwd)
[ -d "$dicts" ] && dicts=$(cd "$dicts" && pwd)
tmkit=${TMKIT:-$here/target/release/tmkit}
if [ ! -x "$tmkit" ]; then
  if [ "${NO_BUILD:-0}" = 1 ]; then
    echo "no tmkit binary at $tmkit (NO_BUILD=1: not building it)" >&2
    exit 1
  fi
  (cd "$here" && cargo build --release --quiet --bin tmkit)
fi
run() {
  echo "## $1"
  shift
  /usr/bin/time -f "cpu user+sys: %U+%S s, max RSS %M KiB" python3 "$eval_py" --gold "$gold" "$@" 2>&1
  echo
}
date -u '+run at %Y-%m-%d %H:%M UTC'
nproc | sed 's/^/cores: /'
run "tmkit align (full, with dictionaries where there is one)" \
  --cmd "$tmkit align --quiet --presegmented --src-lang {sl} --tgt-lang {tl} --format jsonl --dict-dir $dicts {src} {tgt}"
run "tmkit align (full, no dictionary)" \
  --cmd "$tmkit align --quiet --presegmented --src-lang {sl} --tgt-lang {tl} --format jsonl {src} {tgt}"
run "tmkit align --method length (Gale-Church, document ratio)" \
  --cmd "$tmkit align --quiet --presegmented --src-lang {sl} --tgt-lang {tl} --format jsonl --method length {src} {tgt}"
run "gc-ref (the scorer's own Gale-Church)" --anchor gc-ref
# Whole-command speed per document with its dictionary: CPU time (user+sys)
# and peak memory, and sentences (both sides) per CPU second. With
# WITH_TM=1, the same with a memory (--tm) too: every other gold bead of the
# document itself, as TSV, so that the memory's cost shows (reading it,
# cutting its text, learning its words, looking every sentence up); its F1
# would mean nothing and is not given.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
per_document() { # title, then "tm" to add a memory
  echo "## $1"
  mode=${2:-}
  for meta in $(find "$gold" -name meta.json | sort); do
    dir=$(dirname "$meta")
    sl=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["src_lang"])' "$meta")
    tl=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tgt_lang"])' "$meta")
    n=$(cat "$dir/src.txt" "$dir/tgt.txt" | wc -l)
    set --
    if [ "$mode" = tm ]; then
      python3 - "$dir" "$tmp/tm.tsv" <<'PY'
import json, sys
d, out = sys.argv[1], sys.argv[2]
src = open(f"{d}/src.txt", encoding="utf-8").read().split("\n")
tgt = open(f"{d}/tgt.txt", encoding="utf-8").read().split("\n")
with open(out, "w", encoding="utf-8") as f:
    beads = [json.loads(l) for l in open(f"{d}/gold.jsonl", encoding="utf-8")]
    for k, b in enumerate(b for b in beads if b["src"] and b["tgt"]):
        if k % 2 == 0:
            s = " ".join(src[i] for i in b["src"]).replace("\t", " ")
            t = " ".join(tgt[j] for j in b["tgt"]).replace("\t", " ")
            f.write(f"{s}\t{t}\n")
PY
      set -- --tm "$tmp/tm.tsv"
    fi
    t=$( { /usr/bin/time -f "%U %S %M" "$tmkit" align --quiet --lines --src "$sl" --tgt "$tl" \
          --format jsonl --dict-dir "$dicts" "$@" "$dir/src.txt" "$dir/tgt.txt" > /dev/null; } 2>&1 | tail -1)
    echo "$(basename "$dir") $n $t" | awk '{cpu=$3+$4; printf "%-22s %5d sentences  cpu %.2f+%.2f s  %6.0f sentences/cpu-s  max RSS %d KiB\n", $1, $2, $3, $4, (cpu>0 ? $2/cpu : 0), $5}'
  done
  echo
}
per_document "tmkit align, whole command per document (with its dictionary)"
if [ "${WITH_TM:-0}" = 1 ]; then
  per_document "tmkit align --tm (every other gold bead as the memory), whole command per document (with its dictionary)" tm
fi
if [ -n "${HUNALIGN:-}" ] && [ -x "${HUNALIGN}" ]; then
  run "hunalign + dictionary" --anchor hunalign --hunalign-bin "$HUNALIGN" --hunalign-dicts "$dicts"
  run "hunalign + dictionary -realign" --anchor hunalign --hunalign-bin "$HUNALIGN" --hunalign-dicts "$dicts" --hunalign-realign
else
  echo "## hunalign: skipped (set HUNALIGN=/path/to/hunalign to include it)"
fi
