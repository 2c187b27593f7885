#!/usr/bin/env python3
"""Ground truth for tmkit's score (docs/SCORING.md) on a benchmark directory
built by ../shared/eval/fuzzy/bench.py, and the evaluation of a `tmkit match
--format jsonl` run against it.

The shared harness's ground truth uses the first score definition; this one
scores every memory segment with scripts/score_ref.py (the Python reference),
using rapidfuzz's word distance as an upper bound to skip segments that cannot
reach the best scores (exact: the penalties only lower a score).

  python3 bench/score_truth.py --dir /tmp/b100k --results run.jsonl

Prints recall@1 (the tool's first match has the reference's best score),
agreement (the tool's score of its first match equals the reference's score of
that pair), and how many queries get exactly the reference's top-5 scores; the
last line is the summary.
"""
import argparse
import json
import os
import sys

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import score_ref as ref  # noqa: E402


def word_ids(texts, vocab):
    return [[vocab.setdefault(w, len(vocab)) for w in ref.classes(t)[0]] for t in texts]


def truth(queries, sources, k=5, floor=50):
    vocab = {}
    tm_ids = word_ids(sources, vocab)
    lens = np.fromiter((len(x) for x in tm_ids), dtype=np.int64, count=len(tm_ids))
    out = []
    for q, qi in zip(queries, word_ids(queries, vocab)):
        d = process.cdist([qi], tm_ids, scorer=Levenshtein.distance, dtype=np.int32, workers=2)[0]
        d = d.astype(np.int64)
        longest = np.maximum(lens, len(qi))
        bound = np.where(d == 0, 100, (100 * (longest - d)) // np.maximum(longest, 1))
        order = np.argsort(-bound, kind="stable")
        scored = []
        for i in order:
            kth = sorted(s for s, _ in scored)[-k] if len(scored) >= k else floor
            if bound[i] < max(kth, floor):
                break
            s = ref.score(q, sources[i])
            if s >= floor:
                scored.append((s, int(i)))
        scored.sort(key=lambda x: -x[0])
        best = scored[0][0] if scored else None
        out.append({
            "best": best,
            "best_sources": {sources[i] for s, i in scored if s == best},
            "top": [s for s, _ in scored[:k]],
        })
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--results", required=True)
    a = ap.parse_args()
    with open(os.path.join(a.dir, "tm.tsv"), encoding="utf-8") as f:
        sources = [line.rstrip("\n").partition("\t")[0] for line in f]
    with open(a.results, encoding="utf-8") as f:
        results = [json.loads(line) for line in f if line.startswith("{")]
    queries = [r["query"] for r in results]
    gt = truth(queries, sources)
    n = hit = agree = agree_n = top_same = 0
    for g, r in zip(gt, results):
        matches = r.get("matches") or []
        if g["best"] is not None:
            n += 1
            hit += bool(matches) and matches[0]["source"] in g["best_sources"]
        if matches:
            agree_n += 1
            agree += matches[0]["score"] == ref.score(r["query"], matches[0]["source"])
        top_same += [m["score"] for m in matches[:5]] == g["top"]
    print(f"queries: {len(results)}; with a reference match >= 50: {n}")
    print(f"recall@1 against the reference score: {hit}/{n}")
    print(f"score agreement (exact) on the first match: {agree}/{agree_n}")
    print(f"top-5 score lists identical to the reference's: {top_same}/{len(results)}")
    print(f"score_truth: recall={100.0 * hit / max(n, 1):.1f}% agree={100.0 * agree / max(agree_n, 1):.1f}% "
          f"top5={100.0 * top_same / max(len(results), 1):.1f}% over {len(results)} queries, TM={len(sources)} segments")


if __name__ == "__main__":
    main()
