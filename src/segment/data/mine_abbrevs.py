#!/usr/bin/env python3
"""Lists abbreviation candidates found in a corpus, for review before they go
into a language's data file (with a comment naming the corpus).

A word is a candidate when it is written with a full stop that, most of the
time, does not end a sentence: the next word starts in lower case or with a
digit (Punkt's collocation idea, without its statistics). Words already in the
language's data file are marked, so the output shows what is new.

  mine_abbrevs.py LANG CORPUS [--min 3] [--ratio 0.8]

CORPUS is plain text or JSON lines with a "text" field (the summarisation sets
in ../shared/data/summarize/ and the UDHR files in ../shared/data/segment/corpus/multi/).
"""
import argparse
import collections
import json
import os
import re

WORD_DOT = re.compile(r"(?:(?<=\s)|^)([^\W\d_]{1,8}(?:\.[^\W\d_]{1,4})*)\.(\s+)(\S)", re.M)


def texts(path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if path.endswith(".jsonl"):
                yield json.loads(line).get("text", "")
            else:
                yield line


def known(lang):
    here = os.path.dirname(os.path.abspath(__file__))
    words = set()
    section = ""
    with open(os.path.join(here, f"{lang}.txt"), encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#")[0].strip()
            if line.startswith("["):
                section = line
            elif section not in ("[starters]", "[months]", "[weekdays]", "[flags]"):
                words.update(w.lower() for w in line.split())
    return words


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lang")
    ap.add_argument("corpus")
    ap.add_argument("--min", type=int, default=3, help="least occurrences with a full stop")
    ap.add_argument("--ratio", type=float, default=0.8, help="least share followed by lower case or a digit")
    args = ap.parse_args()
    inside = collections.Counter()
    total = collections.Counter()
    for text in texts(args.corpus):
        for m in WORD_DOT.finditer(text):
            word, nxt = m.group(1), m.group(3)
            key = word.lower()
            total[key] += 1
            if nxt.islower() or nxt.isdigit():
                inside[key] += 1
    have = known(args.lang)
    rows = [
        (inside[w] / total[w], total[w], w)
        for w in total
        if total[w] >= args.min and inside[w] / total[w] >= args.ratio
    ]
    for ratio, n, w in sorted(rows, key=lambda r: (-r[1], r[2])):
        print(f"{w}\t{n}\t{ratio:.2f}\t{'known' if w in have else 'NEW'}")


if __name__ == "__main__":
    main()
