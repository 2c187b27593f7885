#!/usr/bin/env python3
"""Counts the line breaks `tmkit segment` joins inside a sentence (the
hard-wrapped-line rule) on real news texts, and prints a sample to inspect.

  bench/segment_wraps.py ARTICLES.jsonl... --bin target/release/tmkit [--sample 30]

Each input line is a JSON object with a "text" field (the summarize data sets
in ../shared/data/summarize/). All texts go through one invocation of
`tmkit segment --lang en --format jsonl` (separated by blank lines, which the
rule never joins across); every line break inside an output sentence is a join.
The sample (fixed seed) shows each join with 60 characters on either side,
the break written as ⏎, for checking by eye."""
import argparse
import json
import os
import random
import re
import subprocess
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("articles", nargs="+")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--lang", default="en")
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    for path in args.articles:
        texts = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    texts.append(json.loads(line)["text"])
        doc = "\n\n\n".join(texts)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as tmp:
            tmp.write(doc)
        try:
            out = subprocess.run([args.bin, "segment", "--lang", args.lang, "--format", "jsonl", tmp.name],
                                 check=True, capture_output=True).stdout.decode("utf-8")
        finally:
            os.unlink(tmp.name)
        data = doc.encode("utf-8")
        single = len(re.findall(rb"(?<!\n)\n(?!\n)", data))
        joins = []
        for line in out.splitlines():
            s = json.loads(line)
            start, end = s["start"], s["end"]
            pos = data.find(b"\n", start, end)
            while pos != -1:
                left = data[max(start, pos - 60):pos].decode("utf-8", "replace")
                right = data[pos + 1:min(end, pos + 61)].decode("utf-8", "replace")
                joins.append(f"{left}⏎{right}")
                pos = data.find(b"\n", pos + 1, end)
        print(f"{os.path.basename(path)}: {len(texts)} texts, {single} single line breaks, "
              f"{len(joins)} joined inside a sentence")
        rng = random.Random(args.seed)
        for j in rng.sample(joins, min(args.sample, len(joins))):
            print("  " + j.replace("\r", "").replace("\n", "⏎"))


if __name__ == "__main__":
    main()
