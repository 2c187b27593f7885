#!/usr/bin/env python3
"""Tests rankers and rules against the eligible lead, the library's digest;
fits the learned ranker of `Summarizer::rank` and writes src/summarize/experiment/learned.rs.

The library's digest is the eligible lead (the first three eligible
sentences, near-duplicates skipped); `rules` and `anchored`/`nested` test
variants of it. The learned ranker scores each sentence as a weighted sum of
the features of src/summarize/experiment/features.rs, then selects by maximal marginal
relevance over the TF-IDF similarity (weight REDUNDANCY), never two sentences
whose term-set Jaccard is >= 0.5, 3 sentences (this script's replay: the
library no longer selects by score, because held out this did not beat the
lead; docs/performance/summarize.md). This script reads the
per-article dumps of examples/summarize_eval.rs (the features come from the
library itself, so training and use cannot drift apart), and fits the weights
by coordinate ascent on the mean ROUGE-1 F1 over the training sets with
human-written summaries, each set weighing the same whatever its size, plus
LAMBDA times the mean over the sets with extractive references (BBC), whose
long selections pull the other way (ROUGE as in examples/summarize_eval.rs:
the harness's tokenization, stemming for English only).

    for s in bbc_en orangesum_fr cnndm_en xsum_en indosum_id; do
        cargo run --release --example summarize_eval -- ../shared/data/summarize/$s.dev.jsonl --dump /tmp/dump_$s.jsonl
    done
    python3 scripts/summarize_train.py loso /tmp/dump_*.jsonl     # leave-one-set-out and half checks
    python3 scripts/summarize_train.py loso --cap 120 /tmp/dump_*.jsonl   # the same, cheaper fits
    python3 scripts/summarize_train.py fit /tmp/dump_*.jsonl      # fit on all, write learned.rs
    python3 scripts/summarize_train.py switch /tmp/dump_*.jsonl   # per-article switch experiment
    python3 scripts/summarize_train.py anchored /tmp/dump_*.jsonl # lead-anchored selection, leave-one-set-out
    python3 scripts/summarize_train.py nested /tmp/dump_*.jsonl   # the same, margin chosen by an inner leave-one-set-out
    python3 scripts/summarize_train.py rules /tmp/dump_*.jsonl    # rule-based variants of the eligible lead
    python3 scripts/summarize_train.py budget /tmp/dump_*.jsonl   # expected-F1 choice under a predicted reference length

`loso` fits on all sets but one and reports the one left out, for each set,
then fits on the even lines of every set and reports the odd ones (and the
other way round). `fit` fits on every set and rewrites learned.rs. The fit is
deterministic (fixed start, fixed step schedule).

`budget` chooses the K of the first 4-6 eligible sentences that maximise an
expected ROUGE-1 F1 against a reference whose length is predicted from the
article's own length (a log-log line and per-rank hit rates fitted on the
training sets), leave-one-set-out and on halves; it also prints the same
choice with the true reference length, a bound on what a better length
prediction could give.

`switch` asks whether one default can serve both kinds of reference by
choosing, per article and from the article alone, between the learned ranker
(src/summarize/experiment/learned.rs) and the centrality ranker of the first rounds
((overlap + 0.6 LexRank + 0.2 / (1 + i/10)) x length factor, MMR 0.3): it
prints each ranker's R1, the per-article oracle choice, a ridge regression of
the per-article gain on article features (sentences, sentences per paragraph,
paragraphs, median length, the lead's length and centrality, quoted share)
fitted leave-one-set-out, and a hand rule on the paragraph layout.
"""
import json
import multiprocessing
import os
import re
import sys
from collections import Counter

import numpy as np

FEATURES = ["first", "second", "third", "log_position", "relative_position",
            "paragraph_first", "overlap", "lexrank", "forward", "log_words",
            "relative_length", "length_factor", "quote_open", "quoted", "question",
            "similarity_to_first"]
# Start from a lead-heavy ranker: the lead, then centrality.
START = {"first": 1.0, "second": 0.5, "third": 0.3, "log_position": -0.2, "overlap": 0.5,
         "lexrank": 0.3, "length_factor": 0.3, "quote_open": -0.2, "question": -0.3}
START_REDUNDANCY = 0.3
JACCARD = 0.5
K = 3
# Articles per set used in the fit (the first ones of each half), so that a fit
# takes minutes on a shared machine; every figure reported uses all articles.
FIT_CAP = 300
STEPS = (0.4, 0.2, 0.1, 0.05)
# Sets whose references are extractive selections rather than human summaries.
EXTRACTIVE = {"bbc_en"}
# Weight of the extractive sets against the human-summary ones.
LAMBDA = 0.1


class Article:
    __slots__ = ("x", "eligible", "sim", "dup", "counts", "lengths", "ref", "ref_len", "index")

    def __init__(self, d, index):
        sents = d["sentences"]
        n = len(sents)
        self.index = index
        self.x = np.array([s["features"] for s in sents], dtype=np.float64).reshape(n, len(FEATURES))
        self.eligible = np.array([s["eligible"] for s in sents], dtype=bool)
        self.sim = np.array(d["similarity"], dtype=np.float64).reshape(n, n)
        self.dup = np.array(d["jaccard"], dtype=np.float64).reshape(n, n) >= JACCARD
        ref = Counter(d["reference"])
        vocab = {t: i for i, t in enumerate(ref)}
        self.ref = np.array([ref[t] for t in vocab], dtype=np.float64)
        self.ref_len = sum(ref.values())
        self.counts = np.zeros((n, len(vocab)))
        self.lengths = np.zeros(n)
        for i, s in enumerate(sents):
            self.lengths[i] = len(s["tokens"])
            for t in s["tokens"]:
                j = vocab.get(t)
                if j is not None:
                    self.counts[i, j] += 1

    def r1(self, picked):
        if not picked or self.ref_len == 0:
            return 0.0
        overlap = np.minimum(self.counts[picked].sum(axis=0), self.ref).sum()
        if overlap == 0:
            return 0.0
        p = overlap / self.lengths[picked].sum()
        r = overlap / self.ref_len
        return 2 * p * r / (p + r)

    def select(self, w, redundancy):
        return self.select_scores(self.x @ w, redundancy)

    def select_scores(self, scores, redundancy):
        """Selection as in select, from precomputed scores."""
        n = len(scores)
        open_ = self.eligible.copy()
        max_sim = np.zeros(n)
        taken = []
        while len(taken) < K and open_.any():
            v = np.where(open_, scores - redundancy * max_sim, -np.inf)
            i = int(np.argmax(v))
            open_[i] = False
            if any(self.dup[i, t] for t in taken):
                continue
            taken.append(i)
            max_sim = np.maximum(max_sim, self.sim[i])
        return taken

    def lead(self):
        return list(range(min(K, len(self.lengths))))

    def select_anchored(self, scores, margin):
        """The eligible lead (the first K eligible sentences, near-duplicates
        skipped), where a lead sentence is replaced only by a sentence scoring
        more than `margin` above it: the weakest lead sentence still chosen
        against the best other sentence that is not a near-duplicate of the
        rest, at most K times. margin None: the eligible lead alone."""
        elig = np.flatnonzero(self.eligible)
        chosen = []
        for i in elig:
            if len(chosen) == K:
                break
            if not any(self.dup[i, t] for t in chosen):
                chosen.append(int(i))
        if margin is None:
            return chosen
        return self.swap_weakest(chosen, scores, elig, margin)

    def swap_weakest(self, chosen, scores, pool, margin):
        """Up to K times: the weakest sentence of the original `chosen` still
        in it gives way to the best-scoring sentence of `pool` that is not a
        near-duplicate of the rest, when that scores more than `margin` above it."""
        lead = set(chosen)
        for _ in range(K):
            in_lead = [c for c in chosen if c in lead]
            if not in_lead:
                break
            weakest = min(in_lead, key=lambda c: scores[c])
            rest = [c for c in chosen if c != weakest]
            cands = [int(i) for i in pool if i not in chosen and not any(self.dup[i, t] for t in rest)]
            if not cands:
                break
            best = max(cands, key=lambda i: scores[i])
            if scores[best] - scores[weakest] <= margin:
                break
            chosen = rest + [best]
        return chosen


def load(path):
    name = os.path.basename(path).removeprefix("dump_").removesuffix(".jsonl")
    with open(path, encoding="utf-8") as f:
        arts = [Article(json.loads(line), i) for i, line in enumerate(f) if line.strip()]
    return name, [a for a in arts if len(a.lengths) > 0]


def mean_r1(arts, w, redundancy):
    return 100 * float(np.mean([a.r1(a.select(w, redundancy)) for a in arts]))


def lead_r1(arts):
    return 100 * float(np.mean([a.r1(a.lead()) for a in arts]))


def objective(sets, w, redundancy):
    human = [mean_r1(a, w, redundancy) for n, a in sets.items() if n not in EXTRACTIVE]
    extractive = [mean_r1(a, w, redundancy) for n, a in sets.items() if n in EXTRACTIVE]
    return (float(np.mean(human)) if human else 0.0) + LAMBDA * (
        float(np.mean(extractive)) if extractive else 0.0)


def fit(sets, log=sys.stderr):
    """Coordinate ascent from START, shrinking steps; each set weighs the same."""
    sets = {k: v[:FIT_CAP] for k, v in sets.items()}
    w = np.array([START.get(f, 0.0) for f in FEATURES])
    red = START_REDUNDANCY
    best = objective(sets, w, red)
    for step in STEPS:
        improved = True
        while improved:
            improved = False
            for j in range(len(FEATURES) + 1):
                for delta in (step, -step):
                    w2, red2 = w.copy(), red
                    if j == len(FEATURES):
                        red2 = max(0.0, red + delta)
                    else:
                        w2[j] += delta
                    v = objective(sets, w2, red2)
                    if v > best + 1e-6:
                        best, w, red, improved = v, w2, red2, True
                        break
        print("  step %.2f: train objective %.2f" % (step, best), file=log)
    return w, red


def report(title, sets, w, red):
    print(title)
    for name, arts in sets.items():
        print("  %-14s lead %6.2f  learned %6.2f  (%d articles)" % (
            name, lead_r1(arts), mean_r1(arts, w, red), len(arts)))


def half(arts, h):
    return [a for a in arts if a.index % 2 == h]


def loso_jobs(sets):
    """(title, training sets, held-out sets): each set left out, then each half."""
    jobs = [("leave out " + name, {k: v for k, v in sets.items() if k != name}, {name: sets[name]})
            for name in sets]
    jobs += [("fitted on %s halves, reported on %s halves" % (("even", "odd")[h], ("even", "odd")[1 - h]),
              {k: half(v, h) for k, v in sets.items()}, {k: half(v, 1 - h) for k, v in sets.items()})
             for h in (0, 1)]
    return jobs


def write_rust(w, red, path):
    """learned.rs: the weights, and the MMR redundancy fitted with them as a
    comment (the library's digest is the eligible lead; only this script's
    replays select by MMR)."""
    rows = "\n".join("    %s, // %s" % (repr(round(float(x), 4)), f) for x, f in zip(w, FEATURES))
    text = (
        "//! Generated by `scripts/summarize_train.py fit`: do not edit by hand.\n"
        "//! Linear weights of the sentence features, in `features::FEATURE_NAMES` order,\n"
        "//! fitted on the development sets (see docs/performance/summarize.md).\n"
        "//! They score sentences in `Summarizer::rank` (the evaluation API); the\n"
        "//! digest is the eligible lead and does not use them.\n"
        "//! MMR redundancy fitted with them (the script's replays): %s\n\n"
        "/// The learned feature weights.\n"
        "#[rustfmt::skip]\n"
        "pub const WEIGHTS: [f32; %d] = [\n%s\n];\n" % (
            repr(round(float(red), 4)), len(FEATURES), rows))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    global FIT_CAP
    if len(sys.argv) < 3 or sys.argv[1] not in ("loso", "fit", "switch", "anchored", "nested", "rules",
                                                 "budget"):
        raise SystemExit(__doc__)
    paths = sys.argv[2:]
    if paths[0] == "--cap":
        FIT_CAP, paths = int(paths[1]), paths[2:]
    sets = dict(load(p) for p in paths)
    if sys.argv[1] == "switch":
        switch(sets)
        return
    if sys.argv[1] == "anchored":
        anchored(sets)
        return
    if sys.argv[1] == "nested":
        nested(sets)
        return
    if sys.argv[1] == "rules":
        rules(sets)
        return
    if sys.argv[1] == "budget":
        budget(sets)
        return
    if sys.argv[1] == "fit":
        w, red = fit(sets)
        report("fitted on every set (all articles):", sets, w, red)
        here = os.path.dirname(os.path.abspath(__file__))
        write_rust(w, red, os.path.join(here, "..", "src", "summarize", "experiment", "learned.rs"))
        print("weights: " + " ".join("%s=%.3f" % kv for kv in zip(FEATURES, w)) + " redundancy=%.2f" % red)
        return
    jobs = loso_jobs(sets)
    with multiprocessing.Pool(2) as pool:
        results = pool.map(run_job, jobs)
    for (title, _, test), (w, red) in zip(jobs, results):
        report(title + ":", test, w, red)


def learned_weights():
    """The weights and redundancy in learned.rs, as the library uses them."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "src", "summarize", "experiment", "learned.rs"), encoding="utf-8") as f:
        src = f.read()
    w = [float(x) for x in re.findall(r"^\s+(-?[0-9.]+), // ", src, re.M)]
    red = float(re.search(r"MMR redundancy fitted with them \(the script's replays\): ([0-9.]+)", src).group(1))
    return np.array(w), red


def centrality_scores(a):
    """The first rounds' default: overlap + 0.6 LexRank + 0.2 lead prior, times the length factor."""
    x, col = a.x, {f: i for i, f in enumerate(FEATURES)}
    position = np.exp(x[:, col["log_position"]]) - 1
    return (x[:, col["overlap"]] + 0.6 * x[:, col["lexrank"]] + 0.2 / (1 + position / 10)) \
        * x[:, col["length_factor"]]


def article_features(a):
    """What an article shows of itself, whatever its language or source."""
    col = {f: i for i, f in enumerate(FEATURES)}
    e = a.eligible if a.eligible.any() else np.ones(len(a.lengths), dtype=bool)
    n = e.sum()
    paragraphs = max(1, int((a.x[e, col["paragraph_first"]] > 0).sum()))
    median = max(1.0, float(np.median(a.lengths[e])))
    first = int(np.argmax(e))
    return np.array([np.log(n), np.log(n / paragraphs), np.log(paragraphs), np.log(median),
                     a.lengths[first] / median, a.x[first, col["lexrank"]],
                     a.x[first, col["overlap"]], a.x[first, col["forward"]],
                     a.x[e, col["quoted"]].mean(), a.x[e, col["lexrank"]].mean()])


def switch(sets):
    w, red = learned_weights()
    data = {}
    for name, arts in sets.items():
        rows = [(article_features(a), a.r1(a.select_scores(a.x @ w, red)),
                 a.r1(a.select_scores(centrality_scores(a), START_REDUNDANCY))) for a in arts]
        data[name] = rows
        print("%-14s learned %6.2f  centrality %6.2f  per-article oracle %6.2f" % (
            name, 100 * np.mean([r[1] for r in rows]), 100 * np.mean([r[2] for r in rows]),
            100 * np.mean([max(r[1], r[2]) for r in rows])))
    print("ridge switch (gain of centrality over learned), fitted leave-one-set-out:")
    for held in data:
        train = [(r, 1.0 / len(rows)) for n, rows in data.items() if n != held for r in rows]
        x = np.array([r[0] for r, _ in train])
        mu, sd = x.mean(0), x.std(0) + 1e-9
        z = np.column_stack([np.ones(len(x)), (x - mu) / sd])
        y = np.array([r[2] - r[1] for r, _ in train])
        sw = np.array([v for _, v in train])
        beta = np.linalg.solve(z.T @ (z * sw[:, None]) + 0.1 * np.eye(z.shape[1]), z.T @ (y * sw))
        rows = data[held]
        zh = np.column_stack([np.ones(len(rows)), (np.array([r[0] for r in rows]) - mu) / sd])
        on = zh @ beta > 0
        print("  held out %-14s switched %5.1f%%  R1 %6.2f" % (
            held, 100 * on.mean(), 100 * np.mean([r[2] if s else r[1] for r, s in zip(rows, on)])))
    print("layout rule (>= 3 paragraphs of 2.5-6 sentences: BBC's file layout, not a property of news):")
    for name, rows in data.items():
        on = [np.exp(r[0][2]) >= 3 and 2.5 <= np.exp(r[0][1]) <= 6 for r in rows]
        print("  %-14s switched %5.1f%%  R1 %6.2f" % (
            name, 100 * np.mean(on), 100 * np.mean([r[2] if s else r[1] for r, s in zip(rows, on)])))


# Margins tried for the lead-anchored selection (None: the eligible lead alone).
MARGINS = (None, 2.0, 1.5, 1.2, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0)


def anchored_r1(arts, w, margin):
    return 100 * float(np.mean([a.r1(a.select_anchored(a.x @ w, margin)) for a in arts]))


def anchored_objective(sets, w, margin):
    human = [anchored_r1(a, w, margin) for n, a in sets.items() if n not in EXTRACTIVE]
    extractive = [anchored_r1(a, w, margin) for n, a in sets.items() if n in EXTRACTIVE]
    return (float(np.mean(human)) if human else 0.0) + LAMBDA * (
        float(np.mean(extractive)) if extractive else 0.0)


def choose_margin(sets, w):
    """The margin with the best training objective (ties: the larger margin)."""
    scored = [(anchored_objective(sets, w, m), m) for m in MARGINS]
    best = max(v for v, _ in scored)
    return next(m for v, m in scored if v >= best - 1e-9), scored


def anchored_job(job):
    title, train, test = job
    with open(os.devnull, "w") as quiet:
        w, red = fit(train, log=quiet)
    margin, scored = choose_margin(train, w)
    rows = {name: (lead_r1(arts), anchored_r1(arts, w, None), mean_r1(arts, w, red),
                   anchored_r1(arts, w, margin)) for name, arts in test.items()}
    return w, red, margin, scored, rows


def anchored(sets):
    """Leave one set out: fit the ranker and choose the margin on the other sets,
    report the held-out set (trimmed lead, eligible lead, fitted ranker alone,
    lead-anchored); then the same on halves."""
    jobs = loso_jobs(sets)
    with multiprocessing.Pool(2) as pool:
        results = pool.map(anchored_job, jobs)
    print("%-44s %-14s %7s %7s %7s %7s  margin" % ("", "set", "lead", "elig.", "ranker", "anch."))
    for (title, _, _), (w, red, margin, scored, rows) in zip(jobs, results):
        for name, (lead, elig, ranker, anch) in rows.items():
            print("%-44s %-14s %7.2f %7.2f %7.2f %7.2f  %s" % (title, name, lead, elig, ranker, anch, margin))
        print("    training objective by margin: " + ", ".join("%s %.2f" % (m, v) for v, m in scored))


def fit_job(train):
    with open(os.devnull, "w") as quiet:
        return fit(train, log=quiet)


def nested(sets):
    """Leave one set out with the margin itself chosen leave-one-set-out inside
    the training sets: for each held-out set, the ranker is fitted on each
    three of the other four and every margin scored on the fourth; the margin
    with the best mean over those inner held-out sets (human sets, plus LAMBDA
    times BBC) is applied with the ranker fitted on all four."""
    names = list(sets)
    outer = {h: {k: v for k, v in sets.items() if k != h} for h in names}
    keys = [(h, None) for h in names] + [(h, i) for h in names for i in names if i != h]
    trains = [outer[h] if i is None else {k: v for k, v in outer[h].items() if k != i}
              for h, i in keys]
    with multiprocessing.Pool(2) as pool:
        fitted = dict(zip(keys, pool.map(fit_job, trains)))
    print("%-14s %7s %7s %7s %7s  margin (inner held-out objective by margin)" % (
        "held out", "lead", "elig.", "ranker", "anch."))
    for h in names:
        inner = {}
        for m in MARGINS:
            human = [anchored_r1(sets[i], fitted[(h, i)][0], m) for i in names
                     if i != h and i not in EXTRACTIVE]
            extractive = [anchored_r1(sets[i], fitted[(h, i)][0], m) for i in names
                          if i != h and i in EXTRACTIVE]
            inner[m] = float(np.mean(human)) + LAMBDA * (float(np.mean(extractive)) if extractive else 0.0)
        best = max(inner.values())
        margin = next(m for m in MARGINS if inner[m] >= best - 1e-9)
        w, red = fitted[(h, None)]
        arts = sets[h]
        print("%-14s %7.2f %7.2f %7.2f %7.2f  %s (%s)" % (
            h, lead_r1(arts), anchored_r1(arts, w, None), mean_r1(arts, w, red),
            anchored_r1(arts, w, margin), margin,
            ", ".join("%s %.2f" % (m, v) for m, v in inner.items())))


# `rules`: variants of the eligible lead, each family a small grid that holds
# the eligible lead itself, so that a choice made on the training sets can
# always fall back to it.
# "weak": a weak sentence gives way to the next eligible one. Grid: (lead
# positions where the rule applies, counted from the last; a sentence shorter
# than this share of the article's median is weak; a sentence with at least
# this share inside quotation marks is weak; a question is weak).
WEAK_GRID = [(slots, short, quoted, question)
             for slots in (1, 2, 3)
             for short in (0.0, 0.4, 0.5, 0.6, 0.75)
             for quoted in (0.5, 0.8, None)
             for question in (False, True)]
# "swap": the weakest lead sentence by a centrality (forward, LexRank or their
# sum) is swapped for the best of the next eligible sentences (window of W
# eligible sentences in all) when that one is more than a margin above it.
SWAP_GRID = [(feature, window, margin)
             for feature in ("forward", "lexrank", "forward+lexrank")
             for window in (4, 5, 6)
             for margin in (0.0, 0.1, 0.2, 0.3, 0.5, None)]


def eligible_lead(a):
    return a.select_anchored(None, None)


def weak_lead(a, rule):
    """The first K eligible sentences, near-duplicates skipped, where a lead
    position among the last `slots` skips weak sentences; when too few are
    left, the earliest skipped ones fill the digest (document order)."""
    slots, short, quoted, question = rule
    col = {f: i for i, f in enumerate(FEATURES)}
    elig = [int(i) for i in np.flatnonzero(a.eligible)]

    def weak(i):
        x = a.x[i]
        return (x[col["relative_length"]] < short
                or (quoted is not None and x[col["quoted"]] >= quoted)
                or (question and x[col["question"]] > 0))

    chosen, skipped = [], []
    for i in elig:
        if len(chosen) == K:
            break
        if any(a.dup[i, t] for t in chosen):
            continue
        if len(chosen) >= K - slots and weak(i):
            skipped.append(i)
            continue
        chosen.append(i)
    for i in skipped:
        if len(chosen) == K:
            break
        if not any(a.dup[i, t] for t in chosen):
            chosen.append(i)
    return sorted(chosen)


def swap_lead(a, rule):
    """The eligible lead; its weakest sentence by the centrality is swapped for
    the best sentence of the window after it when that is more than `margin`
    above, repeatedly (each lead sentence at most once)."""
    feature, window, margin = rule
    chosen = eligible_lead(a)
    if margin is None or len(chosen) < K:
        return chosen
    col = {f: i for i, f in enumerate(FEATURES)}
    score = sum(a.x[:, col[f]] for f in feature.split("+"))
    elig = [int(i) for i in np.flatnonzero(a.eligible)]
    after = elig.index(chosen[-1]) + 1
    pool = elig[after:after + window - K]
    return sorted(a.swap_weakest(chosen, score, pool, margin))


RULE_FAMILIES = {"weak": (WEAK_GRID, weak_lead), "swap": (SWAP_GRID, swap_lead)}


def held_out(sets, family, grid, select, lead):
    """Each variant of `grid` (`select(article, variant)` gives its sentences)
    on every article; the variant chosen on the training sets (mean of the
    human-summary sets + LAMBDA x BBC), reported on the set left out; then
    chosen on one half of every set and reported on the other half; `lead`
    is the per-article R1 of the baseline, per set."""
    human = [n for n in sets if n not in EXTRACTIVE]
    r1 = {name: np.array([[a.r1(select(a, rule)) for a in arts] for rule in grid])
          for name, arts in sets.items()}

    def objective(names, mask=None):
        def per_set(n):
            m = r1[n] if mask is None else r1[n][:, mask[n]]
            return m.mean(axis=1)
        hum = [per_set(n) for n in names if n not in EXTRACTIVE]
        ext = [per_set(n) for n in names if n in EXTRACTIVE]
        return np.mean(hum, axis=0) + (LAMBDA * np.mean(ext, axis=0) if ext else 0)

    print("family %s (%d rules); leave one set out (rule chosen on the other sets):" % (family, len(grid)))
    held = {}
    for h in sets:
        j = int(np.argmax(objective([n for n in sets if n != h])))
        held[h] = 100 * r1[h][j].mean()
        print("  %-14s eligible lead %6.2f  rule %6.2f  %s" % (h, 100 * lead[h].mean(), held[h], grid[j]))
    print("  human-summary mean: eligible lead %.2f, rule %.2f" % (
        np.mean([100 * lead[n].mean() for n in human]), np.mean([held[n] for n in human])))
    for h in (0, 1):
        train = {n: np.array([a.index % 2 == h for a in arts]) for n, arts in sets.items()}
        j = int(np.argmax(objective(list(sets), train)))
        test = {n: 100 * r1[n][j][~train[n]].mean() for n in sets}
        base = {n: 100 * lead[n][~train[n]].mean() for n in sets}
        print("  chosen on %s halves, reported on %s halves: %s" % (
            ("even", "odd")[h], ("even", "odd")[1 - h], grid[j]))
        print("    " + ", ".join("%s %.2f (lead %.2f)" % (n, test[n], base[n]) for n in sets))
        print("    human-summary mean: rule %.2f, eligible lead %.2f" % (
            np.mean([test[n] for n in human]), np.mean([base[n] for n in human])))
    order = np.argsort(-objective(list(sets)), kind="stable")[:5]
    print("  in-sample, best five (the first is the rule chosen on every set):")
    for j in order:
        print("    %-28s %s; human mean %.2f" % (grid[j], ", ".join(
            "%s %.2f" % (n, 100 * r1[n][j].mean()) for n in sets), np.mean([100 * r1[n][j].mean() for n in human])))


def rules(sets):
    """For each family: held_out against the eligible lead."""
    lead = {name: np.array([a.r1(eligible_lead(a)) for a in arts]) for name, arts in sets.items()}
    for family, (grid, select) in RULE_FAMILIES.items():
        held_out(sets, family, grid, select, lead)


BUDGET_WINDOWS = (3, 4, 5, 6)


def budget_stats(a):
    """Article length (ROUGE tokens), the eligible sentences in order, and
    each one's own matched tokens (clipped against the reference)."""
    elig = [int(i) for i in np.flatnonzero(a.eligible)]
    matched = np.minimum(a.counts, a.ref).sum(axis=1) if len(a.ref) else np.zeros(len(a.lengths))
    return float(a.lengths.sum()), elig, matched


def budget_fit(sets, names):
    """On the human-summary training sets (each set weighing the same): a
    log-log line from the article's length to its reference's length, and
    each eligible rank's rate of reference tokens among its tokens."""
    xs, ys, ws = [], [], []
    hits = np.zeros(max(BUDGET_WINDOWS))
    toks = np.zeros(max(BUDGET_WINDOWS))
    for n in names:
        if n in EXTRACTIVE:
            continue
        arts = sets[n]
        h = np.zeros_like(hits)
        t = np.zeros_like(toks)
        for a in arts:
            length, elig, matched = budget_stats(a)
            if a.ref_len == 0 or length == 0:
                continue
            xs.append(np.log(length))
            ys.append(np.log(a.ref_len))
            ws.append(1.0 / len(arts))
            for r, i in enumerate(elig[:len(h)]):
                h[r] += matched[i]
                t[r] += a.lengths[i]
        hits += h / max(t.sum(), 1)
        toks += t / max(t.sum(), 1)
    x, y, w = np.array(xs), np.array(ys), np.array(ws)
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    slope = np.average((x - xm) * (y - ym), weights=w) / np.average((x - xm) ** 2, weights=w)
    return (ym - slope * xm, slope), hits / np.maximum(toks, 1e-9)


def budget_select(a, model, rule):
    """The K of the first `window` eligible sentences (document order, no two
    near-duplicates) that maximise the expected ROUGE-1 F1 against a reference
    of the predicted length L: expected matched tokens L (1 - exp(-sum rate_r
    len_r / L)) (coverage saturates), F1 = 2 matched / (length + L).
    window K is the eligible lead; `oracle` uses the true reference length
    (a bound on what a length prediction could give)."""
    window, oracle = rule
    if window == K:
        return eligible_lead(a)
    (icpt, slope), rate = model
    length, elig, _ = budget_stats(a)
    L = a.ref_len if oracle else float(np.exp(icpt + slope * np.log(max(length, 1.0))))
    cand = elig[:window]
    if len(cand) <= K:
        return eligible_lead(a)
    best, best_v = None, -1.0
    from itertools import combinations
    for combo in combinations(range(len(cand)), K):
        idx = [cand[r] for r in combo]
        if any(a.dup[i, j] for i in idx for j in idx if i < j):
            continue
        total = sum(a.lengths[i] for i in idx)
        expected = L * (1 - np.exp(-sum(rate[r] * a.lengths[cand[r]] for r in combo) / L))
        v = 2 * expected / (total + L)
        if v > best_v:
            best, best_v = idx, v
    return best if best is not None else eligible_lead(a)


def budget(sets):
    """Budget-aware choice among the first eligible sentences under a reference
    length predicted from the article's own length: the length line and the
    rank rates fitted on the training sets, the window chosen on them
    (objective as in `rules`), reported on the set left out; then on halves."""
    human = [n for n in sets if n not in EXTRACTIVE]
    grid = [(w, False) for w in BUDGET_WINDOWS]
    lead = {n: 100 * np.mean([a.r1(eligible_lead(a)) for a in arts]) for n, arts in sets.items()}

    def scores(model, arts, rule):
        return np.array([a.r1(budget_select(a, model, rule)) for a in arts])

    def choose(train_sets, model):
        best, best_v = None, -np.inf
        for rule in grid:
            hum = [100 * scores(model, train_sets[n], rule).mean() for n in train_sets if n not in EXTRACTIVE]
            ext = [100 * scores(model, train_sets[n], rule).mean() for n in train_sets if n in EXTRACTIVE]
            v = np.mean(hum) + (LAMBDA * np.mean(ext) if ext else 0)
            if v > best_v:
                best, best_v = rule, v
        return best

    print("budget-aware choice, leave one set out (length line, rank rates and window from the other sets):")
    held = {}
    for h in sets:
        train = {n: a for n, a in sets.items() if n != h}
        model = budget_fit(sets, list(train))
        rule = choose(train, model)
        held[h] = 100 * scores(model, sets[h], rule).mean()
        fixed = {w: 100 * scores(model, sets[h], (w, False)).mean() for w in BUDGET_WINDOWS[1:]}
        oracle = {w: 100 * scores(model, sets[h], (w, True)).mean() for w in BUDGET_WINDOWS[1:]}
        print("  %-14s eligible lead %6.2f  chosen %6.2f (window %d; length = exp(%.2f) x words^%.2f)" % (
            h, lead[h], held[h], rule[0], model[0][0], model[0][1]))
        print("      each window: " + ", ".join("%d: %.2f" % kv for kv in fixed.items())
              + "; true reference length: " + ", ".join("%d: %.2f" % kv for kv in oracle.items()))
    print("  human-summary mean: eligible lead %.2f, chosen %.2f" % (
        np.mean([lead[n] for n in human]), np.mean([held[n] for n in human])))
    for hh in (0, 1):
        train = {n: [a for a in arts if a.index % 2 == hh] for n, arts in sets.items()}
        test = {n: [a for a in arts if a.index % 2 != hh] for n, arts in sets.items()}
        model = budget_fit(train, list(train))
        rule = choose(train, model)
        res = {n: 100 * scores(model, test[n], rule).mean() for n in sets}
        base = {n: 100 * np.mean([a.r1(eligible_lead(a)) for a in test[n]]) for n in sets}
        print("  chosen on %s halves (window %d), reported on %s: %s" % (
            ("even", "odd")[hh], rule[0], ("odd", "even")[hh],
            ", ".join("%s %.2f (lead %.2f)" % (n, res[n], base[n]) for n in sets)))
        print("    human-summary mean: %.2f, eligible lead %.2f" % (
            np.mean([res[n] for n in human]), np.mean([base[n] for n in human])))


def run_job(job):
    title, train, _ = job
    with open(os.devnull, "w") as quiet:
        return fit(train, log=quiet)


if __name__ == "__main__":
    main()
