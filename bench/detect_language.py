#!/usr/bin/env python3
"""Language detection on short texts: the share of samples whose detected
language (`tmkit summarize --format jsonl` of a folder, its "language") is
the right one, for each binary given, in the same run.

Samples (seeded, so every binary sees the same ones): 500 Tatoeba sentences
and 500 pairs of consecutive ones in English and in French
(../shared/data/tm/en-fr.tsv), and 150 sentences and 150 pairs from the
Universal Declaration of Human Rights in each Latin-script language of
../shared/data/segment/corpus/multi (split by the first binary's segmenter).
When the Python package `langdetect` (the port of Google's language-detection
that scripts reach for) is installed, it is scored on the same samples.

    python3 bench/detect_language.py OLD/tmkit NEW/tmkit
"""
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get("SHARED", os.path.join(here, "..", "..", "shared"))
bins = sys.argv[1:]
if not bins:
    sys.exit(__doc__)
random.seed(11)
samples = []
rows = [l.rstrip("\n").split("\t") for l in open(f"{shared}/data/tm/en-fr.tsv", encoding="utf-8")][1:]
for lang, col in (("en", 0), ("fr", 1)):
    for k in (1, 2):
        for _ in range(500):
            i = random.randrange(len(rows) - k)
            samples.append((f"tatoeba-{lang}", k, lang, " ".join(rows[i + j][col] for j in range(k))))
for lang in "da de en es fr it nl pl sk".split():
    text = open(f"{shared}/data/segment/corpus/multi/{lang}.txt", encoding="utf-8").read()
    out = subprocess.run([bins[0], "segment", "--lang", lang], input=text.encode(), capture_output=True, check=True)
    sentences = [s for s in out.stdout.decode().splitlines() if len(s) >= 25 and not s.isupper()]
    for k in (1, 2):
        for _ in range(150):
            i = random.randrange(len(sentences) - k)
            samples.append((f"udhr-{lang}", k, lang, " ".join(sentences[i:i + k])))


def report(name, got):
    right = collections.defaultdict(lambda: [0, 0])
    for n, (set_name, k, lang, _) in enumerate(samples):
        r = right[(set_name, k)]
        r[1] += 1
        r[0] += got.get(n) == lang
    print(f"== {name}")
    for (set_name, k), (ok, total) in sorted(right.items()):
        print(f"{set_name:12} {k} sentence{'s' if k > 1 else ' '}  {ok:4}/{total}")
    ok = sum(v[0] for v in right.values())
    total = sum(v[1] for v in right.values())
    print(f"all: {ok}/{total} = {100 * ok / total:.1f}%")


with tempfile.TemporaryDirectory() as folder:
    for n, (_, _, _, text) in enumerate(samples):
        with open(f"{folder}/{n:05d}.txt", "w", encoding="utf-8") as f:
            f.write(text + "\n")
    for b in bins:
        out = subprocess.run([b, "-q", "summarize", "--format", "jsonl", folder], capture_output=True, check=True)
        got = {}
        for line in out.stdout.decode().splitlines():
            j = json.loads(line)
            got[int(os.path.basename(j["file"])[:5])] = j["language"]
        report(b, got)
try:
    import langdetect
except ImportError:
    print("langdetect is not installed: pip install langdetect")
else:
    langdetect.DetectorFactory.seed = 0
    got = {}
    for n, (_, _, _, text) in enumerate(samples):
        try:
            got[n] = langdetect.detect(text)
        except langdetect.LangDetectException:
            pass
    report("langdetect " + getattr(langdetect, "__version__", ""), got)
