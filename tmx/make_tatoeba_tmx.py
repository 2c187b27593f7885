#!/usr/bin/env python3
"""Build the Tatoeba sample memories in tmx/ from the shared Tatoeba pair lists.

    python3 tmx/make_tatoeba_tmx.py                      # from the repository root
    python3 tmx/make_tatoeba_tmx.py --data-dir PATH --out-dir tmx

Reads   DATA_DIR/en-fr.tsv and DATA_DIR/en-ja.tsv (`english<TAB>translation`, one pair a line)
Writes  OUT_DIR/en-fr.tatoeba.tmx  (2,000 pairs, TMX 1.4b, UTF-8)
        OUT_DIR/en-ja.tatoeba.tsv  (500 pairs, same two-column TSV layout)

Selection is deterministic: of the usable lines (two non-empty columns), take every k-th,
k = usable // wanted, starting with the first, so the sample spreads over the whole list (the
lists run from short to long sentences). Each TU's tuid names the 1-based line of the source file,
so any pair can be traced back. The output has no timestamps taken from the clock: running the
script twice gives identical files.

The sentences are from Tatoeba (https://tatoeba.org), CC-BY 2.0 France; attribution: the Tatoeba
contributors. Only the Python standard library is used.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

FR_PAIRS = 2000
JA_PAIRS = 500
# A fixed date, so the output does not change from run to run.
STAMP = "20261125T000000Z"
ATTRIBUTION = "Sentences from Tatoeba (https://tatoeba.org), CC-BY 2.0 France; attribution: the Tatoeba contributors."

# Characters that XML 1.0 forbids even when escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Escape text for element content and attribute values."""
    text = _XML_INVALID.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def read_pairs(path: Path) -> list[tuple[int, str, str]]:
    """Usable (line number, english, translation) triples: exactly two non-empty columns."""
    pairs = []
    with path.open(encoding="utf-8", newline="") as f:
        for line_no, line in enumerate(f, 1):
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) != 2:
                continue
            src, tgt = (c.strip() for c in cols)
            if src and tgt:
                pairs.append((line_no, src, tgt))
    return pairs


def every_kth(pairs: list, wanted: int) -> list:
    if len(pairs) < wanted:
        sys.exit(f"error: only {len(pairs)} usable pairs, {wanted} wanted")
    step = len(pairs) // wanted
    return pairs[::step][:wanted]


def write_tmx(pairs: list[tuple[int, str, str]], out: Path, source_name: str) -> None:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tmx version="1.4">',
        '  <header creationtool="tmkit make_tatoeba_tmx.py" creationtoolversion="1.0"'
        ' datatype="plaintext" segtype="sentence" adminlang="en" srclang="en" o-tmf="tatoeba-tsv"'
        f' creationdate="{STAMP}" creationid="tmkit">',
        f"    <note>{xml_text(ATTRIBUTION)}</note>",
        f"    <note>{len(pairs)} English-French pairs, every k-th usable line of {xml_text(source_name)};"
        " tuid = line number in that file.</note>",
        '    <prop type="x-license">CC-BY-2.0-FR</prop>',
        '    <prop type="x-source">https://tatoeba.org</prop>',
        "  </header>",
        "  <body>",
    ]
    for line_no, src, tgt in pairs:
        lines += [
            f'    <tu tuid="tatoeba-en-fr-{line_no}">',
            f'      <tuv xml:lang="en"><seg>{xml_text(src)}</seg></tuv>',
            f'      <tuv xml:lang="fr"><seg>{xml_text(tgt)}</seg></tuv>',
            "    </tu>",
        ]
    lines += ["  </body>", "</tmx>", ""]
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    tmp.replace(out)


def write_tsv(pairs: list[tuple[int, str, str]], out: Path) -> None:
    # Tabs and newlines cannot occur inside a column (read_pairs split on them), so no quoting is needed.
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text("".join(f"{src}\t{tgt}\n" for _, src, tgt in pairs), encoding="utf-8", newline="\n")
    tmp.replace(out)


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=root.parent / "shared" / "data" / "tm")
    ap.add_argument("--out-dir", type=Path, default=root / "tmx")
    args = ap.parse_args()

    fr = every_kth(read_pairs(args.data_dir / "en-fr.tsv"), FR_PAIRS)
    write_tmx(fr, args.out_dir / "en-fr.tatoeba.tmx", "en-fr.tsv")
    ja = every_kth(read_pairs(args.data_dir / "en-ja.tsv"), JA_PAIRS)
    write_tsv(ja, args.out_dir / "en-ja.tatoeba.tsv")
    print(f"wrote {len(fr)} TUs to en-fr.tatoeba.tmx and {len(ja)} pairs to en-ja.tatoeba.tsv in {args.out_dir}")


if __name__ == "__main__":
    main()
