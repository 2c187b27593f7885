#!/usr/bin/env python3
"""Offline analysis of tmkit's summary ranking on two dev sets at once.

Reads the per-article dumps of `examples/summarize_eval.rs --dump` (each
sentence's ROUGE tokens and score components, the similarity matrix, the
reference's tokens) and re-runs the selection in Python, so that a new scoring
rule can be measured on both sets and both halves in seconds, without a
rebuild. With the default weights it reproduces summarize_eval's R1 exactly.

    cargo run --release --example summarize_eval -- ../shared/data/summarize/bbc_en.dev.jsonl --dump /tmp/en.jsonl
    cargo run --release --example summarize_eval -- ../shared/data/summarize/orangesum_fr.dev.jsonl --dump /tmp/fr.jsonl
    python3 scripts/summarize_frontier.py /tmp/en.jsonl /tmp/fr.jsonl score overlap=1 lexrank=0.6 position=0.2
    python3 scripts/summarize_frontier.py /tmp/en.jsonl /tmp/fr.jsonl score overlap=1 lexrank=0.6 position=0.2 lead3=0.3
    python3 scripts/summarize_frontier.py /tmp/en.jsonl /tmp/fr.jsonl lede
    python3 scripts/summarize_frontier.py /tmp/en.jsonl /tmp/fr.jsonl fit 0.5 even
    python3 scripts/summarize_frontier.py /tmp/en.jsonl /tmp/fr.jsonl pseudo 20 1 0.3
    python3 scripts/summarize_frontier.py /tmp/en.jsonl /tmp/fr.jsonl window 0.3
    python3 scripts/summarize_frontier.py /tmp/en.jsonl /tmp/fr.jsonl adjacent 0.1

`score` prints R1 on the even and odd halves of each set for a linear score
(`feature=weight ...`, times the dump's length factor, then MMR with
redundancy 0.3 as in the library). `lede` prints how well per-article lede
detectors separate the articles where Lead-3 beats tmkit, within each set and
between the sets. `fit LAMBDA HALF` fits the weights by coordinate ascent on
`R1(second set) + LAMBDA * R1(first set)` on one half and reports the other.
Three selection rules other than MMR over a linear score: `pseudo TOPN BETA
MIX` picks greedily by the gain in F-beta against a pseudo-reference (the
article's TOPN most frequent content tokens) plus MIX times the library's
score; `window BONUS` takes the best run of three consecutive eligible
sentences (BONUS added to the run that opens the article); `adjacent BONUS`
is MMR where a sentence right after a chosen one gains BONUS (× the top score).

Features (per sentence): the dump's components (overlap, lexrank, position),
logw (ln words), logwn (ln words over the article's largest), rel (words over
the median), kwcov / kwdens (share of the article's 10 most frequent content
tokens the sentence holds, / per token), meansim (mean TF-IDF similarity to
the other sentences), simfirst (similarity to the first sentence), fmn (content
tokens first mentioned here, weighted by how many sentences repeat them, per
token), eidx (rank among eligible sentences), lead3 (1 for the first three
eligible), prior2 (1 / (1 + eidx / 2)), quote (holds a quotation mark).
Content tokens are those outside the 120 most frequent ROUGE tokens of the
set: a stand-in for stopword lists, good enough to rank features.
"""
import json
import re
import sys
from collections import Counter

import numpy as np

QUOTE = re.compile(r'["«»“”]')


def load(path):
    arts = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            d = json.loads(line)
            n = len(d["sentences"])
            arts.append({
                "half": i % 2,
                "ref": Counter(d["reference"]),
                "reflen": len(d["reference"]),
                "toks": [Counter(s["tokens"]) for s in d["sentences"]],
                "sents": d["sentences"],
                "sim": np.array(d["similarity"], dtype=np.float64).reshape(n, n),
                "picked": d["picked"],
            })
    stop = Counter()
    for a in arts:
        for t in a["toks"]:
            stop.update(t)
    stop = {t for t, _ in stop.most_common(120)}
    for a in arts:
        a["stop"] = stop
        a["feat"] = features(a, stop)
        a["elig"] = [s["eligible"] for s in a["sents"]]
        a["length"] = np.array([s["length"] for s in a["sents"]])
    return arts


def features(a, stop):
    sents, toks, sim = a["sents"], a["toks"], a["sim"]
    n = len(sents)
    if n == 0:
        return {}
    words = np.array([max(1, s["words"]) for s in sents], dtype=np.float64)
    elig = np.array([s["eligible"] for s in sents])
    eidx = np.cumsum(elig) - elig
    tf, df, seen = Counter(), Counter(), set()
    for t in toks:
        tf.update({w: k for w, k in t.items() if w not in stop})
        df.update(w for w in t if w not in stop)
    top = [w for w, _ in tf.most_common(10)]
    fmn = np.zeros(n)
    for i, t in enumerate(toks):
        new = [w for w in t if w not in stop and w not in seen]
        fmn[i] = sum(df[w] - 1 for w in new) / max(1, sum(t.values()))
        seen.update(new)
    logw = np.log(words)
    f = {
        "overlap": np.array([s["overlap"] for s in sents]),
        "lexrank": np.array([s["lexrank"] for s in sents]),
        "position": np.array([s["position"] for s in sents]),
        "logw": logw,
        "logwn": logw / max(1e-9, logw[elig].max() if elig.any() else logw.max()),
        "rel": words / np.median(words[elig] if elig.any() else words),
        "kwcov": np.array([sum(w in t for w in top) for t in toks]) / max(1, len(top)),
        "meansim": sim.sum(1) / max(1, n - 1),
        "simfirst": sim[:, 0],
        "fmn": fmn / fmn.max() if fmn.max() > 0 else fmn,
        "eidx": eidx.astype(np.float64),
        "lead3": ((eidx < 3) & elig).astype(np.float64),
        "prior2": 1 / (1 + eidx / 2),
        "quote": np.array([float(bool(QUOTE.search(s.get("text", "")))) for s in sents]),
    }
    f["kwdens"] = f["kwcov"] * len(top) / np.array([max(1, sum(t.values())) for t in toks])
    return f


def r1(a, picked):
    c = Counter()
    for i in picked:
        c += a["toks"][i]
    ct, rt = sum(c.values()), a["reflen"]
    overlap = sum(min(k, a["ref"].get(t, 0)) for t, k in c.items())
    if overlap == 0 or ct == 0 or rt == 0:
        return 0.0
    p, r = overlap / ct, overlap / rt
    return 2 * p * r / (p + r)


def mmr(scores, elig, sim, k=3, redundancy=0.3):
    taken, best_sim, open_ = [], np.zeros(len(scores)), list(elig)
    while len(taken) < k:
        best = None
        for i, s in enumerate(scores):
            if open_[i] and (best is None or s - redundancy * best_sim[i] > best[1]):
                best = (i, s - redundancy * best_sim[i])
        if best is None:
            break
        open_[best[0]] = False
        taken.append(best[0])
        best_sim = np.maximum(best_sim, sim[best[0]])
    return sorted(taken)


def evaluate(arts, weights, half):
    total, m = 0.0, 0
    for a in arts:
        if a["half"] != half:
            continue
        m += 1
        if not a["sents"]:
            continue
        score = sum(w * a["feat"][k] for k, w in weights.items()) * a["length"]
        total += r1(a, mmr(score, a["elig"], a["sim"]))
    return 100 * total / max(1, m)


def four(sets, weights):
    return [evaluate(arts, weights, h) for arts in sets for h in (0, 1)]


def auc(x, y):
    x, y = np.asarray(x), np.asarray(y, bool)
    pos, neg = x[y], x[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    ranks = np.argsort(np.argsort(np.concatenate([pos, neg]), kind="stable"), kind="stable")
    return (ranks[: len(pos)].sum() - len(pos) * (len(pos) - 1) / 2) / (len(pos) * len(neg))


def detectors(a):
    """Per-article lede detectors: how central the first three eligible sentences are."""
    el = [i for i, e in enumerate(a["elig"]) if e]
    if len(el) < 4:
        return None
    lead, rest, f = el[:3], el[3:], a["feat"]
    med = lambda k: np.median(f[k][el]) + 1e-6  # noqa: E731
    inner = a["sim"][np.ix_(rest, rest)].sum() / max(1, len(rest) * (len(rest) - 1))
    return {
        "meansim3": f["meansim"][lead].mean() / med("meansim"),
        "kwcov3": f["kwcov"][lead].sum(),
        "overlap3": f["overlap"][lead].mean() / med("overlap"),
        "lexrank3": f["lexrank"][lead].mean() / med("lexrank"),
        "echo": a["sim"][np.ix_(rest, lead)].mean() / (inner + 1e-6),
    }


def lede(sets, names):
    per_set = []
    for arts, name in zip(sets, names):
        rows, wins = [], []
        for a in arts:
            d = detectors(a)
            if d is None:
                continue
            el = [i for i, e in enumerate(a["elig"]) if e][:3]
            rows.append(d)
            wins.append(r1(a, el) > r1(a, a["picked"]))
        per_set.append(rows)
        print(f"{name}: Lead-3 beats tmkit in {100 * np.mean(wins):.0f}% of articles")
        for k in rows[0]:
            print(f"  {k:9s} AUC {auc([r[k] for r in rows], wins):.3f}")
    print(f"between the sets ({names[1]} = positive):")
    for k in per_set[0][0]:
        x = [r[k] for r in per_set[1]] + [r[k] for r in per_set[0]]
        y = [1] * len(per_set[1]) + [0] * len(per_set[0])
        print(f"  {k:9s} AUC {auc(x, y):.3f}")


def fit(sets, lam, train):
    names = ["overlap", "lexrank", "position", "logw", "rel", "kwcov", "kwdens", "meansim",
             "simfirst", "fmn", "eidx", "lead3", "prior2"]
    w = {k: 0.0 for k in names}
    w.update(overlap=1.0, lexrank=0.6, position=0.2)

    def objective(weights):
        en, fr = evaluate(sets[0], weights, train), evaluate(sets[1], weights, train)
        return fr + lam * en, en, fr

    best = objective(w)
    for steps in ([0.3, -0.3, 0.1, -0.1], [0.05, -0.05]):
        for k in names:
            for step in steps:
                trial = dict(w, **{k: w[k] + step})
                o = objective(trial)
                if o[0] > best[0] + 0.005:
                    best, w = o, trial
    test = [evaluate(s, w, 1 - train) for s in sets]
    print(f"lambda {lam}, fitted on half {train}: train {best[1]:.2f} / {best[2]:.2f}, "
          f"test {test[0]:.2f} / {test[1]:.2f}")
    print("  " + " ".join(f"{k}={v:g}" for k, v in w.items() if abs(v) > 1e-9))


def pseudo_reference(a, stop, topn, beta, mix, k=3, redundancy=0.3):
    el = [i for i, e in enumerate(a["elig"]) if e]
    tf = Counter()
    for t in a["toks"]:
        tf.update({w: c for w, c in t.items() if w not in stop})
    ref = {w: min(2, max(1, c // 3)) for w, c in tf.most_common(topn)}
    rt = sum(ref.values()) or 1
    score = np.array([s["score"] for s in a["sents"]])
    score = score / max(1e-9, score.max())

    def fbeta(c):
        ct = sum(v for w, v in c.items() if w not in stop)
        ov = sum(min(v, ref.get(w, 0)) for w, v in c.items())
        if ov == 0:
            return 0.0
        p, r = ov / ct, ov / rt
        return (1 + beta**2) * p * r / (beta**2 * p + r)

    taken, cur, have, best_sim = [], Counter(), 0.0, np.zeros(len(score))
    while len(taken) < min(k, len(el)):
        i = max((i for i in el if i not in taken),
                key=lambda i: fbeta(cur + a["toks"][i]) - have + mix * (score[i] - redundancy * best_sim[i]))
        taken.append(i)
        cur += a["toks"][i]
        have = fbeta(cur)
        best_sim = np.maximum(best_sim, a["sim"][i])
    return sorted(taken)


def best_window(a, bonus):
    el = [i for i, e in enumerate(a["elig"]) if e]
    if len(el) <= 3:
        return el
    score = np.array([s["score"] for s in a["sents"]])
    start = max(range(len(el) - 2), key=lambda s: score[el[s:s + 3]].sum() + (bonus if s == 0 else 0))
    return el[start:start + 3]


def adjacent_mmr(a, bonus, k=3, redundancy=0.3):
    score = np.array([s["score"] for s in a["sents"]])
    bonus *= score.max()
    el = [i for i, e in enumerate(a["elig"]) if e]
    taken, best_sim, follows = [], np.zeros(len(score)), np.zeros(len(score))
    while len(taken) < min(k, len(el)):
        i = max((i for i in el if i not in taken),
                key=lambda i: score[i] - redundancy * best_sim[i] + bonus * follows[i])
        taken.append(i)
        best_sim = np.maximum(best_sim, a["sim"][i])
        j = el.index(i)
        if j + 1 < len(el):
            follows[el[j + 1]] = 1
    return sorted(taken)


def policy(sets, pick):
    r = []
    for arts in sets:
        for h in (0, 1):
            chosen = [r1(a, pick(a)) if a["sents"] else 0.0 for a in arts if a["half"] == h]
            r.append(100 * sum(chosen) / max(1, len(chosen)))
    print(f"first {r[0]:.2f} / {r[1]:.2f}   second {r[2]:.2f} / {r[3]:.2f}   (even / odd)")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    paths, command, rest = sys.argv[1:3], sys.argv[3], sys.argv[4:]
    sets = [load(p) for p in paths]
    if command == "score":
        weights = {k: float(v) for k, v in (kv.split("=") for kv in rest)}
        r = four(sets, weights)
        print(f"first {r[0]:.2f} / {r[1]:.2f}   second {r[2]:.2f} / {r[3]:.2f}   (even / odd)")
    elif command == "lede":
        lede(sets, paths)
    elif command == "fit":
        fit(sets, float(rest[0]), {"even": 0, "odd": 1}[rest[1]])
    elif command == "pseudo":
        topn, beta, mix = int(rest[0]), float(rest[1]), float(rest[2])
        policy(sets, lambda a: pseudo_reference(a, a["stop"], topn, beta, mix))
    elif command == "window":
        policy(sets, lambda a: best_window(a, float(rest[0])))
    elif command == "adjacent":
        policy(sets, lambda a: adjacent_mmr(a, float(rest[0])))
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
