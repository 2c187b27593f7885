#!/usr/bin/env python3
"""How well tmx/en-fr.news.tmx covers the English sample articles: for each sentence of
samples/en-*.txt, the best character-level similarity (rapidfuzz `fuzz.ratio`, 0-100) to any
English source in the memory, counted by band. A rough, independent check that the memory is
useful for `tmkit match` / `tmkit analyze` demos; it is not tmkit's own score.

    python3 tmx/news_coverage.py            # from the repository root

Needs python3 with lxml, pysbd and rapidfuzz. Sentences are split with pySBD, one paragraph
(line) at a time, so list items stay separate.
"""

from __future__ import annotations

import glob
from pathlib import Path

import lxml.etree as etree
import pysbd
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BANDS = [(100, "100"), (85, "85-99"), (70, "70-84"), (50, "50-69"), (0, "<50")]


def english_sources(tmx: Path) -> list[str]:
    out = []
    for tuv in etree.parse(str(tmx)).iter("tuv"):
        if tuv.get(XML_LANG, "").lower().startswith("en"):
            seg = tuv.find("seg")
            # Plain text: inline codes (bpt/ept/ph) dropped with their content, hi kept.
            text = (seg.text or "") + "".join(
                ("" if child.tag in ("bpt", "ept", "ph", "it", "ut") else "".join(child.itertext()))
                + (child.tail or "")
                for child in seg
            )
            out.append(text)
    return out


def main() -> None:
    sources = english_sources(ROOT / "tmx" / "en-fr.news.tmx")
    segmenter = pysbd.Segmenter(language="en", clean=False)
    print(f"{len(sources)} English sources in tmx/en-fr.news.tmx")
    for path in sorted(glob.glob(str(ROOT / "samples" / "en-*.txt"))):
        counts = {name: 0 for _, name in BANDS}
        sentences = [
            s.strip()
            for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()
            for s in segmenter.segment(line.strip())
            if s.strip()
        ]
        for sentence in sentences:
            score = process.extractOne(sentence, sources, scorer=fuzz.ratio)[1]
            counts[next(name for floor, name in BANDS if score >= floor)] += 1
        bands = "  ".join(f"{name}: {n}" for name, n in counts.items())
        print(f"{Path(path).name}: {len(sentences)} sentences  {bands}")


if __name__ == "__main__":
    main()
