#!/usr/bin/env python3
"""Synthetic document pairs with known beads for `tmkit align`, in the layout of
../shared/eval/align/align_eval.py (src.txt, tgt.txt, gold.jsonl, meta.json).

Invented words `wN` translate to `trNx` (Zipf frequencies); about 7% 1-2, 7% 2-1,
2% 2-2 beads (with content crossing the sentence boundary), 4% inserted target and
4% deleted source sentences, each sharing 30% of its words with its neighbour.
Five documents: two en-fr (the dictionary written for the first, covering 60% of
the words, is also found for the second through --dict-dir, since both use the same
invented vocabulary), en-de with a full dictionary, and two en-ro without one.

Usage: python3 bench/align_synthetic.py OUT_DIR
then:  python3 ../shared/eval/align/align_eval.py --gold OUT_DIR \
         --cmd "target/release/tmkit align --quiet --lines --src {sl} --tgt {tl} \
                --format jsonl --dict-dir OUT_DIR/dicts {src} {tgt}"
"""
import random, json, os, sys
def gen(out, seed, sl, tl, nbeads=400, coverage=0.6, share=0.3, dictfile=None):
    rnd = random.Random(seed)
    V = 3000
    # Zipf-ish word choice
    weights = [1.0/(r+1)**1.0 for r in range(V)]
    def word(): return rnd.choices(range(V), weights)[0]
    def srcw(w): return "w%d" % w
    def tgtw(w): return "tr%dx" % w
    def sent():
        n = rnd.randint(5, 25)
        return [word() for _ in range(n)]
    src, tgt, gold = [], [], []
    shapes = []
    for _ in range(nbeads):
        r = rnd.random()
        if r < 0.04: shapes.append((0,1))
        elif r < 0.08: shapes.append((1,0))
        elif r < 0.15: shapes.append((1,2))
        elif r < 0.22: shapes.append((2,1))
        elif r < 0.24: shapes.append((2,2))
        else: shapes.append((1,1))
    for k,l in shapes:
        s0,t0 = len(src), len(tgt)
        if k == 0 or l == 0:
            # inserted sentence sharing `share` of its words with its neighbour
            ws = sent()
            if k == 0:
                nb = tgt[-1] if tgt else None
                if nb:
                    nbw = nb[1]
                    for x in range(len(ws)):
                        if rnd.random() < share: ws[x] = rnd.choice(nbw)
                tgt.append((" ".join(tgtw(w) for w in ws) + ".", ws))
            else:
                nb = src[-1] if src else None
                if nb:
                    nbw = nb[1]
                    for x in range(len(ws)):
                        if rnd.random() < share: ws[x] = rnd.choice(nbw)
                src.append((" ".join(srcw(w) for w in ws) + ".", ws))
        else:
            content = []
            for _ in range(max(k,l)): content += sent()
            def cut(c, n, skew):
                a = [0] + [int(len(content)*((x/n) + skew)) for x in range(1,n)] + [len(content)]
                return content[a[c]:a[c+1]]
            for c in range(k):
                part = cut(c, k, -0.15 if (k,l)==(2,2) else 0)
                src.append((" ".join(srcw(w) for w in part) + ".", part))
            for c in range(l):
                part = cut(c, l, 0.15 if (k,l)==(2,2) else 0)
                tgt.append((" ".join(tgtw(w) for w in part) + ".", part))
        gold.append((list(range(s0,len(src))), list(range(t0,len(tgt)))))
    os.makedirs(out, exist_ok=True)
    open(out+"/src.txt","w").write("\n".join(s for s,_ in src)+"\n")
    open(out+"/tgt.txt","w").write("\n".join(s for s,_ in tgt)+"\n")
    with open(out+"/gold.jsonl","w") as f:
        for s,t in gold: f.write(json.dumps({"src":s,"tgt":t})+"\n")
    name=os.path.basename(out)
    json.dump({"src_lang":sl,"tgt_lang":tl,"pair":name.split('.')[0],"id":name,"split":"dev"},open(out+"/meta.json","w"))
    if dictfile:
        with open(dictfile,"w") as f:
            for w in range(V):
                if rnd.random() < coverage: f.write("%s @ %s\n" % (tgtw(w), srcw(w)))
base=sys.argv[1]
os.makedirs(base+"/dicts",exist_ok=True)
gen(base+"/en-fr.ins1", 1, "en","fr", dictfile=base+"/dicts/en-fr.dic")
gen(base+"/en-fr.ins2", 2, "en","fr")
gen(base+"/en-ro.ins3", 3, "en","ro")
gen(base+"/en-ro.ins4", 4, "en","ro")
gen(base+"/en-de.full5", 5, "en","de", coverage=1.0, dictfile=base+"/dicts/en-de.dic")
