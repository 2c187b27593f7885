#!/usr/bin/env python3
"""News prose on real articles: the 1,651 BBC News Summary dev articles in
../shared/data/summarize/bbc_en.dev.jsonl (read there, never copied).

Each reference summary is made of the article's own sentences, as the
dataset's authors split them, in any order. An article passes when its summary
is a concatenation of whole sentences produced by the segmenter (whitespace
ignored): a segmenter that merges a summary sentence with a neighbour that is
not in the summary fails the article. Splitting too often is not caught, so
the number of sentences is printed too.

  bench/segment_news.py DATA --cmd 'tmkit segment --lang en'
  bench/segment_news.py DATA --anchor pysbd
The last line printed is "news: PASSED/TOTAL (PCT%) ..."."""
import argparse
import json
import re
import subprocess

ap = argparse.ArgumentParser()
ap.add_argument('data')
ap.add_argument('--cmd')
ap.add_argument('--anchor')
args = ap.parse_args()
arts = [json.loads(l) for l in open(args.data, encoding='utf-8')]
SEP = '\u241e'  # article separator line
if args.cmd:
    # one process for all articles: each article ends with a separator line
    blob = ''.join(a['text'].rstrip('\n') + '\n' + SEP + '\n' for a in arts)
    out = subprocess.run(args.cmd, shell=True, input=blob.encode(), capture_output=True, check=True).stdout.decode()
    per = [[]]
    for line in out.split('\n'):
        if line.strip() == SEP:
            per.append([])
        elif line.strip():
            per[-1].append(line)
    per = per[:len(arts)]
else:
    import pysbd
    seg = pysbd.Segmenter(language='en', clean=False)
    per = []
    for a in arts:
        sents = []
        for para in a['text'].split('\n'):
            if para.strip():
                sents.extend(seg.segment(para))
        per.append(sents)
ws = re.compile(r'\s+')
ok = 0; nsent = 0
for a, sents in zip(arts, per):
    summ = ws.sub('', a['summary'])
    pieces = [ws.sub('', s) for s in sents]
    nsent += len(pieces)
    # the summary's sentences are the article's, in any order
    pieces = [p for p in pieces if p]
    reach, todo = {0}, [0]
    while todo:
        r = todo.pop()
        for p in pieces:
            if summ.startswith(p, r) and r + len(p) not in reach:
                reach.add(r + len(p))
                todo.append(r + len(p))
    ok += len(summ) in reach
print(f'sentences: {nsent} ({nsent/len(arts):.1f} per article)')
print(f'news: {ok}/{len(arts)} ({100*ok/len(arts):.1f}%) articles whose summary is whole sentences')
