#!/usr/bin/env bash
# Whole-command figures for `tmkit segment` (see docs/performance/segment.md).
#   bench/segment.sh            throughput, accuracy against pySBD, peak memory on 1 GB
#   GOLDEN_UPSTREAM=golden.jsonl bench/segment.sh   also the upstream Golden Rules cases (extracted outside the repo)
#   BEFORE=/path/to/old/tmkit bench/segment.sh       also an older build, in the same run (case tables, news, wraps)
# Needs ../shared (corpora and scorers) and a release build:
#   CARGO_TARGET_DIR=/work/target-segment cargo build --release
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared}
bin=${TMKIT:-${CARGO_TARGET_DIR:-$here/target}/release/tmkit}
corpus=$shared/data/segment/corpus/en_gutenberg.txt
cases=$here/tests/fixtures/segment/cases.jsonl

echo "== machine"; nproc; free -g | awk 'NR==2{print $2 " GiB RAM"}'; uptime

echo "== throughput (whole command, one core)"
python3 "$shared/eval/segment/speed.py" "$corpus" --cmd "$bin segment --lang {lang}" --repeat 3 --startup-probe
echo "== pySBD on the first 300 KB of the same corpus (library calls only)"
sample=$(mktemp /tmp/segment-300k.XXXXXX)
head -c 300000 "$corpus" | python3 -c "import sys; d=sys.stdin.buffer.read(); sys.stdout.buffer.write(d[:d.rfind(b'\n')+1])" >"$sample"
python3 "$shared/eval/segment/speed.py" "$sample" --anchor pysbd --repeat 1 | tail -1
rm -f "$sample"
echo "== CPU time on the same input (less sensitive to other load on the machine)"
/usr/bin/time -f "user %U s, sys %S s, wall %e s, peak %M KiB" taskset -c 0 "$bin" segment --lang en "$corpus" >/dev/null

echo "== accuracy on tmkit's own cases, and pySBD on the same cases"
python3 "$shared/eval/segment/golden.py" "$cases" --cmd "$bin segment --lang {lang}" --jobs 2 | tail -1
python3 "$shared/eval/segment/golden.py" "$cases" --anchor pysbd | tail -1
python3 "$shared/eval/segment/golden.py" "$cases" --sets news --cmd "$bin segment --lang {lang}" --jobs 2 | tail -1
python3 "$shared/eval/segment/golden.py" "$cases" --sets news --anchor pysbd | tail -1

echo "== accuracy on the conventions of the standard test sets (own cases), and pySBD on the same cases"
conv=$here/tests/fixtures/segment/conventions.jsonl
python3 "$shared/eval/segment/golden.py" "$conv" --cmd "$bin segment --lang {lang}" --jobs 2 | tail -1
python3 "$shared/eval/segment/golden.py" "$conv" --anchor pysbd | tail -1

echo "== per-language tables: tmkit and pySBD on the same cases, same run (Markdown)"
before_args=()
if [ -n "${BEFORE:-}" ]; then before_args=(--before "$BEFORE segment --lang {lang}"); fi
python3 "$here/bench/segment_langs.py" "$conv" "$cases" --cmd "$bin segment --lang {lang}" "${before_args[@]}"

# The upstream Golden Rules cases (pySBD's tests/lang at 5905f13) are not in the repository:
# extract them outside it (docs/performance/segment.md says how) and name the file here.
if [ -n "${GOLDEN_UPSTREAM:-}" ]; then
  echo "== the upstream Golden Rules cases ($GOLDEN_UPSTREAM), tmkit and pySBD in the same run"
  python3 "$here/bench/segment_langs.py" "$GOLDEN_UPSTREAM" --cmd "$bin segment --lang {lang}" "${before_args[@]}" --pysbd-clean
fi

echo "== start-up: one invocation on one short article (what a per-article harness pays)"
article=$(mktemp /tmp/segment-article.XXXXXX)
head -c 3000 "$corpus" | python3 -c "import sys; d=sys.stdin.buffer.read(); sys.stdout.buffer.write(d[:d.rfind(b'\n')+1])" >"$article"
# hyperfine's "User"/"System" are the CPU times per run (rusage), less sensitive to load than "Time".
hyperfine -N --warmup 20 --runs 300 "$bin segment --lang en $article" "$bin segment $article" 2>&1 | grep -E "Benchmark|Time|User"
rm -f "$article"

echo "== news prose: 1,651 BBC articles whose summaries are their own sentences"
news=$shared/data/summarize/bbc_en.dev.jsonl
for mode in auto keep split; do
  echo "--quotes $mode"; python3 "$here/bench/segment_news.py" "$news" --cmd "$bin segment --lang en --quotes $mode"
done
if [ -n "${BEFORE:-}" ]; then
  echo "before ($BEFORE), --quotes auto"; python3 "$here/bench/segment_news.py" "$news" --cmd "$BEFORE segment --lang en"
fi
echo "pySBD"; python3 "$here/bench/segment_news.py" "$news" --anchor pysbd

echo "== hard-wrapped lines joined inside a sentence on news texts (sample of 30 to read)"
sum=$shared/data/summarize
python3 "$here/bench/segment_wraps.py" "$sum/xsum_en.dev.jsonl" "$sum/cnndm_en.dev.jsonl" "$sum/bbc_en.dev.jsonl" --bin "$bin" --sample 30

echo "== peak memory on a 1 GB input"
big=$(mktemp /tmp/segment-1gb.XXXXXX)
trap 'rm -f "$big"' EXIT
for _ in $(seq 42); do cat "$corpus"; done >"$big"
ls -l "$big" | awk '{print $5 " bytes"}'
/usr/bin/time -f "user %U s, sys %S s, wall %e s, peak %M KiB" "$bin" segment --lang en "$big" >/dev/null
/usr/bin/time -f "wrapped: user %U s, wall %e s, peak %M KiB" "$bin" segment --lang en --wrapped "$big" >/dev/null
/usr/bin/time -f "jsonl:   user %U s, wall %e s, peak %M KiB" "$bin" segment --lang en --format jsonl "$big" >/dev/null
