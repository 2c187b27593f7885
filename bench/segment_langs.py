#!/usr/bin/env python3
"""Per-language table of tmkit and pySBD on the same segmentation cases, in one
run: both go through ../shared/eval/segment/golden.py (per-case results in
JSON), and the table is printed in Markdown for docs/performance/segment.md.

  bench/segment_langs.py CASES... --cmd 'target/release/tmkit segment --lang {lang}'

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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--jobs", default="2")
    args = ap.parse_args()
    print(f"same run, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
          f"tmkit: `{args.cmd}`; pySBD through golden.py --anchor pysbd\n")
    for cases in args.cases:
        ours = run(cases, ["--cmd", args.cmd, "--jobs", args.jobs])
        theirs = run(cases, ["--anchor", "pysbd"])
        a, b = tally(ours["results"]), tally(theirs["results"])
        fallbacks = theirs.get("fallbacks") or {}
        print(f"{os.path.basename(cases)}\n")
        print("| lang | cases | tmkit | pySBD |")
        print("|---|---|---|---|")
        for lang, (ok, n) in a.items():
            fb = fallbacks.get(lang)
            note = f" ({fb} rules)" if fb and fb != lang else ""
            print(f"| {lang} | {n} | {ok} | {b[lang][0]}{note} |")
        ta, tb = sum(p[0] for p in a.values()), sum(p[0] for p in b.values())
        n = sum(p[1] for p in a.values())
        print(f"| **all** | {n} | **{ta} ({100 * ta / n:.1f}%)** | {tb} ({100 * tb / n:.1f}%) |\n")


if __name__ == "__main__":
    main()
