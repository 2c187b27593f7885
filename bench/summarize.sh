#!/usr/bin/env bash
# Whole-command timing of `tmkit summarize` over a folder of news articles,
# with --out-dir (one digest file per article), against sumy's LexRank and
# TextRank as run by the shared ROUGE harness; then the same run with --tm
# (TM=path overrides the memory: a TSV/TMX file or a store such as team.tmdb;
# the default is the shared Tatoeba en-fr TSV), and with the same memory
# imported into a store (TM_STORE=path.tmdb names one; by default the TSV is
# imported into a temporary store; TM_STORE=0 skips it). Every run detects
# each article's language, so the difference is the memory alone; each --tm
# row ends with its overhead against the run without, in wall time (best
# run) and in CPU (user + sys, best run): the issue's target is <= +20%.
#
#   bench/summarize.sh [DATA.jsonl] [RUNS]
#
# Environment: NO_BUILD=1 uses the release binary as it is (TMKIT=path names
# another binary, e.g. main's for an A/B run); SUMY=0 skips the sumy rows;
# STRACE=1 also counts the system calls of one run (strace -c -f), when
# strace is installed; TM and TM_STORE as above; TMPDIR names where the
# articles and outputs go (default /tmp: TMPDIR=/dev/shm keeps the disk's
# file system out of the figures: on ext4 a folder where thousands of files
# were just deleted can add seconds of system time to a run). Runs unattended.
#
# DATA defaults to ../shared/data/summarize/bbc_en.dev.jsonl (research use
# only: the articles are extracted to a temporary folder, never into the repo).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$here/../shared/data/summarize/bbc_en.dev.jsonl}"
runs="${2:-5}"
target="${CARGO_TARGET_DIR:-$here/target}"
tmkit="${TMKIT:-$target/release/tmkit}"
eval_dir="$here/../shared/eval/summarize"

[ -f "$data" ] || { echo "no data at $data" >&2; exit 1; }
if [ "${NO_BUILD:-0}" != 1 ] && [ -z "${TMKIT:-}" ]; then
    (cd "$here" && cargo build --release --quiet --bin tmkit)
fi
[ -x "$tmkit" ] || { echo "no binary at $tmkit" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/tmkit-sumbench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 - "$data" "$work/articles" <<'PY'
import json, os, sys
data, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
with open(data, encoding="utf-8") as f:
    for i, line in enumerate(f):
        if line.strip():
            d = json.loads(line)
            with open(os.path.join(out, "%05d.txt" % i), "w", encoding="utf-8") as o:
                o.write(d["text"])
PY
n=$(find "$work/articles" -name '*.txt' | wc -l)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "articles: $n from $data"

# Every run writes a fresh folder, and none is removed before the end: ext4
# skips inodes deleted in the last few seconds when it allocates new ones
# (recently_deleted, in the kernel's profile), so removing the previous run's
# 1,651 outputs just before a run made each file creation cost ~0.5 ms of
# system time, the bench measuring its own clean-up.
run_no=0
fresh() { run_no=$((run_no + 1)); out="$work/out.$run_no"; }
best=""
best_cpu=""
for i in $(seq "$runs"); do
    fresh
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$tmkit" summarize --quiet --out-dir "$out" "$work/articles"
    read -r secs kb user sys < "$work/time"
    cpu=$(python3 -c "print(round($user + $sys, 2))")
    echo "run $i: ${secs}s wall, ${user}s user + ${sys}s sys, peak RSS ${kb} KB, $(python3 -c "print(round($n / max($secs, 1e-3)))") articles/s"
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $secs < $best else 1)"; then best=$secs; fi
    if [ -z "$best_cpu" ] || python3 -c "import sys; sys.exit(0 if $cpu < $best_cpu else 1)"; then best_cpu=$cpu; fi
done
echo "tmkit summarize --out-dir: best ${best}s = $(python3 -c "print(round($n / max($best, 1e-3)))") articles/s; best CPU ${best_cpu}s"
written=$(find "$out" -type f | wc -l)
if [ "${STRACE:-0}" = 1 ] && command -v strace >/dev/null; then
    fresh
    strace -c -f -o "$work/strace" "$tmkit" summarize --quiet --out-dir "$out" "$work/articles"
    echo "system calls of one --out-dir run (strace -c -f; calls per article):"
    awk -v n="$n" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
        printf "  %-12s %7d  %5.2f\n", $NF, $4, $4 / n }
        $NF == "total" { printf "  %-12s %7d  %5.2f\n", "total", $4, $4 / n }' "$work/strace" | sort -k2 -nr | head -14
fi
echo "outputs written: $written (temporary files left: $(find "$work" -name '.*.tmkit-*' | wc -l))"

# The digest with translations: the same run looking every digest sentence up
# in a memory (Tatoeba en-fr, 76,032 pairs; loading and indexing included),
# given as a file and as a store.
# A memory file's index is cached (the user's cache folder, here one in the
# temporary folder): the first run builds it, the others read it; the
# "no cache" row indexes the file in every run, as before the cache.
export XDG_CACHE_HOME="$work/cache"
tm_runs() { # label, memory[, extra flag]
    local label=$1 memory=$2 best_tm="" best_tm_cpu="" i secs kb user sys cpu
    for i in $(seq "$runs"); do
        fresh
        /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$tmkit" summarize --quiet --tm "$memory" --tgt fr ${3:-} --out-dir "$out" "$work/articles"
        read -r secs kb user sys < "$work/time"
        cpu=$(python3 -c "print(round($user + $sys, 2))")
        echo "--tm $label run $i: ${secs}s wall, ${user}s user + ${sys}s sys, peak RSS ${kb} KB"
        if [ -z "$best_tm" ] || python3 -c "import sys; sys.exit(0 if $secs < $best_tm else 1)"; then best_tm=$secs; fi
        if [ -z "$best_tm_cpu" ] || python3 -c "import sys; sys.exit(0 if $cpu < $best_tm_cpu else 1)"; then best_tm_cpu=$cpu; fi
    done
    echo "tmkit summarize --tm ($label) --out-dir: best ${best_tm}s = $(python3 -c "print(round($n / max($best_tm, 1e-3)))") articles/s; overhead $(python3 -c "print('%+.0f%%' % (100 * ($best_tm / $best - 1)))") wall, $(python3 -c "print('%+.0f%%' % (100 * ($best_tm_cpu / $best_cpu - 1)))") CPU (best ${best_tm_cpu}s) against without"
    echo "digests with at least one translation: $(grep -l '^    \[' -r "$out" | wc -l) of $n"
}
tm="${TM:-$here/../shared/data/tm/en-fr.tsv}"
if [ -f "$tm" ]; then
    tm_runs "file $(basename "$tm")" "$tm"
    if "$tmkit" summarize --help | grep -q -- --no-cache; then
        tm_runs "file $(basename "$tm"), no cache" "$tm" --no-cache
    fi
    store="${TM_STORE:-}"
    if [ "$store" != 0 ]; then
        if [ -z "$store" ]; then
            store="$work/memory.tmdb"
            "$tmkit" tm import --quiet --tm "$store" "$tm" >/dev/null
        fi
        tm_runs "store $(basename "$store")" "$store"
    fi
fi

# Memory flat in the number of articles: the same run over a folder 4x larger.
mkdir -p "$work/big"
for k in 1 2 3 4; do for f in "$work/articles"/*.txt; do ln -s "$f" "$work/big/$k-$(basename "$f")"; done; done
fresh
/usr/bin/time -f "%e %M" -o "$work/time" "$tmkit" summarize --quiet --out-dir "$out" "$work/big"
read -r secs kb < "$work/time"
echo "4x articles ($((4 * n))): ${secs}s, peak RSS ${kb} KB"

if [ -f "$eval_dir/rouge_eval.py" ] && [ "${SUMY:-1}" = 1 ]; then
    echo "sumy (shared harness, docs/s on its last column; limit 200 articles):"
    (cd "$eval_dir" && python3 rouge_eval.py --data "$data" --anchor lexrank,textrank --limit 200 | grep -E '^(lexrank|textrank) ')
fi
