#!/usr/bin/env python3
"""Per-language table of tmkit and pySBD on the same segmentation cases, in one
run: both go through ../shared/eval/segment/golden.py (per-case results in
JSON), and the table is printed in Markdown for docs/performance/segment.md.

  bench/segment_langs.py CASES... --cmd 'target/release/tmkit segment --lang {lang}'
      [--before '/tmp/old/tmkit segment --lang {lang}'] [--pysbd-clean]

Each CASES file (tests/fixtures/segment/conventions.jsonl, cases.jsonl) gets
its own table; a language pySBD does not support is scored with its English
rules (golden.py's fallback) and marked so."""
import argparse
import collections
import datetime
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
golden = os.path.join(os.environ.get("SHARED", os.path.join(here, "..", "..", "shared")), "eval", "segment", "golden.py")


def run(cases, extra):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        path = tmp.name
    try:
        subprocess.run([sys.executable, golden, cases, "--json-out", path, *extra],
                       check=True, stdout=subprocess.DEVNULL)
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    finally:
        os.unlink(path)


def tally(results):
    per = collections.OrderedDict()
    for r in results:
        p = per.setdefault(r["lang"], [0, 0])
        p[0] += bool(r["pass"])
        p[1] += 1
    return per


def pysbd_clean(cases, mode):
    """pySBD 0.3.4 with its text cleaning, scored like golden.py: mode "clean"
    (clean=True everywhere) or "tests" (as pySBD's own tests run each case: its
    id names the test list, `file.py:LIST[i]`; clean=True for the lists named
    *CLEAN* (not *WO_CLEAN*), clean=True with doc_type="pdf" for *PDF*)."""
    import importlib.util
    import pysbd
    spec = importlib.util.spec_from_file_location("golden", golden)
    g = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(g)
    codes = set(pysbd.languages.LANGUAGE_CODES)
    results = []
    for c in g.load_cases(cases):
        opts = {"clean": True}
        if mode == "tests":
            # `file.py:LIST[i]`, or `file-LIST-i` as some extractions write it
            cid = c["id"]
            name = cid.split(":", 1)[1] if ":" in cid else "-".join(cid.split("-")[1:-1])
            if "PDF" in name:
                opts["doc_type"] = "pdf"
            elif "CLEAN" not in name or "WO_CLEAN" in name:
                opts["clean"] = False
        try:
            got = pysbd.Segmenter(language=c["lang"] if c["lang"] in codes else "en", **opts).segment(c["text"])
        except Exception:  # pySBD fails on some inputs when cleaning; a failure is a miss
            got = []
        results.append({"lang": c["lang"], "pass": g.normalize(got) == g.normalize(c["expected"])})
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--before", help="a second tmkit command (an older build), scored in the same run")
    ap.add_argument("--pysbd-clean", action="store_true",
                    help="also pySBD with clean=True, and as its own tests run each case (upstream ids)")
    ap.add_argument("--jobs", default="2")
    args = ap.parse_args()
    print(f"same run, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
          f"tmkit: `{args.cmd}`" + (f"; before: `{args.before}`" if args.before else "")
          + "; pySBD through golden.py --anchor pysbd (clean=False)\n")
    for cases in args.cases:
        cols = [("tmkit", tally(run(cases, ["--cmd", args.cmd, "--jobs", args.jobs])["results"]))]
        if args.before:
            cols.insert(0, ("tmkit before", tally(run(cases, ["--cmd", args.before, "--jobs", args.jobs])["results"])))
        theirs = run(cases, ["--anchor", "pysbd"])
        cols.append(("pySBD", tally(theirs["results"])))
        if args.pysbd_clean:
            cols.append(("pySBD clean=True", tally(pysbd_clean(cases, "clean"))))
            cols.append(("pySBD as its tests", tally(pysbd_clean(cases, "tests"))))
        fallbacks = theirs.get("fallbacks") or {}
        print(f"{os.path.basename(cases)}\n")
        print("| lang | cases | " + " | ".join(name for name, _ in cols) + " |")
        print("|---|---|" + "---|" * len(cols))
        first = cols[0][1]
        for lang, (_, n) in first.items():
            fb = fallbacks.get(lang)
            note = f" ({fb} rules)" if fb and fb != lang else ""
            cells = [str(col[lang][0]) for _, col in cols]
            cells[[name for name, _ in cols].index("pySBD")] += note
            print(f"| {lang} | {n} | " + " | ".join(cells) + " |")
        n = sum(p[1] for p in first.values())
        totals = [sum(p[0] for p in col.values()) for _, col in cols]
        print(f"| **all** | {n} | " + " | ".join(f"{t} ({100 * t / n:.1f}%)" for t in totals) + " |\n")


if __name__ == "__main__":
    main()
