#!/usr/bin/env python3
"""Generates the mined abbreviation tables in src/segment/data/mined/<lang>.txt.

Sources, per language (each entry in the output names the sources that gave it):
  lo   LibreOffice's autocorrect exception lists (SentenceExceptList.xml in
       acor_<locale>.dat: abbreviations after which a word is not capitalised),
       MPL-2.0; Debian package libreoffice-common (`apt-get download
       libreoffice-common` and `dpkg-deb -x` it anywhere: --autocorr DIR).
  hun  Hunspell dictionaries' entries written with a full stop (Debian
       packages hunspell-<lang>, /usr/share/hunspell): German, Dutch, Danish,
       Swedish, Czech.
  news the news and UDHR corpora in ../shared/data/ (segment/corpus/multi/<lang>.txt,
       summarize/*_<lang>.dev.jsonl): a word written with a full stop that is
       followed by a lower-case word or a digit at least --ratio of the time,
       at least --min times (Punkt's collocation idea, without its statistics).

A candidate is kept when it is an abbreviation in this sense and not an
ordinary word that can end a sentence: it is dropped when the language's
Hunspell dictionary lists it as a word (German `Art`, English `in`) or the
corpora have it more often without a full stop than with one (Slovak `ne`), unless the
corpora show it mostly before lower case; single letters are left to the
scanner's initials rule; entries the hand-written data file already has are
left out. Everything kept goes to `[abbrev]`: a break follows it only before
a typical sentence starter.

  gen_abbrevs.py [--autocorr DIR] [--hunspell DIR] [--shared DIR] [--check] [LANG...]

--check compares with the committed files instead of writing them (exit 1 on a
difference, 3 when a source is not installed); `cargo test --test
test_segment mined_tables` runs it when the sources are present.
"""
import argparse
import collections
import html
import json
import os
import re
import sys
import unicodedata
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "mined")

# LibreOffice locale files per tmkit language (lists that are copies of the
# English one, as in tr-TR, ja-JP, ko-KR and zh-*, are not taken).
AUTOCORR = {
    "en": ["en-US", "en-GB", "en-AU", "en-ZA"],
    "de": ["de"],
    "fr": ["fr"],
    "es": ["es"],
    "it": ["it"],
    "pt": ["pt-PT", "pt-BR"],
    "nl": ["nl-NL", "nl-BE"],
    "da": ["da-DK"],
    "sv": ["sv-SE"],
    "pl": ["pl-PL"],
    "cs": ["cs-CZ"],
    "sk": ["sk-SK"],
    "ru": ["ru-RU"],
    "bg": ["bg-BG"],
    "el": ["el-GR"],
    "tr": ["tr-TR"],
    "fa": ["fa-IR"],
}
HUNSPELL = {
    "en": "en_US", "de": "de_DE", "fr": "fr", "es": "es_ES", "it": "it_IT", "pt": "pt_PT",
    "nl": "nl_NL", "da": "da_DK", "sv": "sv_SE", "pl": "pl_PL", "cs": "cs_CZ", "sk": "sk_SK",
    "ru": "ru_RU", "uk": "uk_UA", "bg": "bg_BG", "el": "el_GR", "tr": "tr_TR", "kk": "kk_KZ",
}
# Every language with a hand-written data file gets a generated one (maybe empty).
LANGS = sorted(f[:-4] for f in os.listdir(HERE) if f.endswith(".txt") and f != "und.txt")
# Entries: letters, inner full stops and hyphens, at most 12 characters.
ENTRY = re.compile(r"^[^\W\d_](?:[^\W\d_]|[.\-'])*$")
PLAIN_WORD = re.compile(r"(?<![\w.])[^\W\d_]+(?![\w.])")
WORD_DOT = re.compile(r"(?:(?<=\s)|^)([^\W\d_]{1,10}(?:\.[^\W\d_]{1,4})*)\.(\s+)(\S)", re.M)


def norm(entry):
    """The form the scanner looks up: NFC, lower case, no final full stop, no spaces (`z. B.` → `z.b`)."""
    e = unicodedata.normalize("NFC", html.unescape(entry)).strip().replace(" ", "")
    return e.rstrip(".").lower()


def autocorr_entries(folder, lang):
    english = set()
    path = os.path.join(folder, "acor_en-US.dat")
    if lang != "en" and os.path.exists(path):
        english = set(_autocorr_file(path))
    out = set()
    for loc in AUTOCORR.get(lang, []):
        path = os.path.join(folder, f"acor_{loc}.dat")
        if not os.path.exists(path):
            continue
        entries = set(_autocorr_file(path))
        # tr-TR, ja-JP, ko-KR and zh-* hold a copy of the English list
        # (compared without the single letters every list has).
        words = {e for e in entries if len(norm(e)) > 1}
        if entries and len(words & english) < 0.5 * len(words):
            out |= entries
    return out


def _autocorr_file(path):
    with zipfile.ZipFile(path) as z:
        if "SentenceExceptList.xml" not in z.namelist():
            return []
        xml = z.read("SentenceExceptList.xml").decode("utf-8")
    return [m for m in re.findall(r'abbreviated-name="([^"]*)"', xml) if m.strip().endswith(".")]


def hunspell(folder, lang):
    """(entries written with a full stop, lower-cased words of the dictionary)."""
    name = HUNSPELL.get(lang)
    if not name or not os.path.exists(os.path.join(folder, name + ".dic")):
        return set(), None
    enc = "utf-8"
    with open(os.path.join(folder, name + ".aff"), "rb") as fh:
        for line in fh:
            if line.startswith(b"SET "):
                enc = line.split()[1].decode()
                break
    dotted, words = set(), set()
    with open(os.path.join(folder, name + ".dic"), "rb") as fh:
        lines = fh.read().decode(enc, "replace").splitlines()[1:]
    for line in lines:
        w = line.split("/")[0].split("\t")[0].strip()
        if w.endswith(".") and len(w) > 2:
            dotted.add(w)
        elif w:
            words.add(w.lower())
    return dotted, words


def corpus_texts(shared, lang):
    path = os.path.join(shared, "data", "segment", "corpus", "multi", f"{lang}.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            yield fh.read()
    folder = os.path.join(shared, "data", "summarize")
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            if name.endswith(f"_{lang}.dev.jsonl"):
                with open(os.path.join(folder, name), encoding="utf-8") as fh:
                    for line in fh:
                        yield json.loads(line).get("text", "")


def corpus_counts(shared, lang):
    """Per lower-cased word written with a full stop: (times, times before lower
    case or a digit); and per lower-cased word, the times it is written without one."""
    total, inside, plain = collections.Counter(), collections.Counter(), collections.Counter()
    for text in corpus_texts(shared, lang):
        for m in PLAIN_WORD.finditer(text):
            plain[m.group(0).lower()] += 1
        for m in WORD_DOT.finditer(text):
            key, nxt = m.group(1).lower(), m.group(3)
            total[key] += 1
            if nxt.islower() or nxt.isdigit():
                inside[key] += 1
    return total, inside, plain


def known(lang):
    """Every item of the hand-written data file (lower case), whatever its section."""
    words = set()
    path = os.path.join(HERE, f"{lang}.txt")
    if not os.path.exists(path):
        return words
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#")[0].strip()
            if not line.startswith("["):
                words.update(w.lower() for w in line.split())
    return words


def generate(lang, args):
    sources = collections.defaultdict(set)
    for e in autocorr_entries(args.autocorr, lang):
        sources[norm(e)].add("lo")
    dotted, words = hunspell(args.hunspell, lang)
    for e in dotted:
        sources[norm(e)].add("hun")
    total, inside, plain = corpus_counts(args.shared, lang)
    for w, n in total.items():
        if n >= args.min and inside[w] / n >= args.ratio:
            sources[norm(w)].add("news")
    have = known(lang)
    kept = {}
    for entry, srcs in sources.items():
        if len(entry) > 12 or not ENTRY.match(entry) or entry in have:
            continue
        if len(entry.replace(".", "")) <= 1:
            continue  # initials: the scanner's own rule
        mostly_inside = total[entry] >= args.min and inside[entry] / total[entry] >= args.ratio
        is_word = (words is not None and entry in words) or plain[entry] > total[entry]
        if is_word and not mostly_inside:
            continue  # an ordinary word that may end a sentence
        kept[entry] = srcs
    return kept, words is not None


def render(lang, kept, args):
    lines = [
        f"# {lang}: abbreviations generated by gen_abbrevs.py (do not edit; re-run it).",
        "# Sources: lo = LibreOffice autocorrect exception lists (MPL-2.0), hun = Hunspell",
        "# dictionary entries with a full stop, news = the news and UDHR corpora of ../shared",
        f"# (followed by lower case or a digit >= {args.ratio:.0%} of >= {args.min} times).",
    ]
    by_source = collections.defaultdict(list)
    for entry, srcs in kept.items():
        by_source["+".join(sorted(srcs))].append(entry)
    for key in sorted(by_source):
        lines.append(f"# {key}")
        lines.append("[abbrev]")
        row = []
        for entry in sorted(by_source[key]):
            row.append(entry)
            if len(" ".join(row)) > 90:
                lines.append(" ".join(row))
                row = []
        if row:
            lines.append(" ".join(row))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("langs", nargs="*")
    ap.add_argument("--autocorr", default="/usr/lib/libreoffice/share/autocorr")
    ap.add_argument("--hunspell", default="/usr/share/hunspell")
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "..", "shared"))
    ap.add_argument("--min", type=int, default=3)
    ap.add_argument("--ratio", type=float, default=0.8)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    for what, path in (("--autocorr", args.autocorr), ("--hunspell", args.hunspell), ("--shared", args.shared)):
        if not os.path.isdir(path):
            sys.exit(f"gen_abbrevs.py: {what} {path}: no such folder")
    missing = [f"{args.hunspell}/{n}.dic" for n in sorted(set(HUNSPELL.values()))
               if not os.path.exists(os.path.join(args.hunspell, n + ".dic"))]
    missing += [f"{args.autocorr}/acor_{loc}.dat" for locs in AUTOCORR.values() for loc in locs
                if not os.path.exists(os.path.join(args.autocorr, f"acor_{loc}.dat"))]
    if missing:
        # Exit 3: the tables cannot be reproduced here (the test reports a skip).
        print("gen_abbrevs.py: sources not installed: " + " ".join(missing), file=sys.stderr)
        sys.exit(3)
    os.makedirs(OUT, exist_ok=True)
    bad = 0
    for lang in args.langs or LANGS:
        kept, _ = generate(lang, args)
        text = render(lang, kept, args)
        path = os.path.join(OUT, f"{lang}.txt")
        if args.check:
            old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
            if old != text:
                print(f"{path}: differs from the generator's output", file=sys.stderr)
                bad += 1
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            print(f"{lang}: {len(kept)} entries", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
