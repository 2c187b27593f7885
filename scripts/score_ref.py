#!/usr/bin/env python3
"""Reference implementation of tmkit's match score (docs/SCORING.md).

Written from the definition, independently of the Rust code, so that tests
can compare the two on generated pairs (tests/test_match.rs). Standard library
only.

Usage:
  python3 scripts/score_ref.py "memory source" "query"        # prints the score
  python3 scripts/score_ref.py --jsonl FILE   # each line ["a", "b"] or ["a", ca, "b", cb]; prints scores
  python3 scripts/score_ref.py --selftest
"""
import json
import re
import sys
import unicodedata


def _mark_ranges():
    """Combining marks (category M*) that Python's \\w does not match."""
    w = re.compile(r"\w")
    ranges, start, prev = [], None, None
    for cp in range(0x110000):
        ch = chr(cp)
        if unicodedata.category(ch).startswith("M") and not w.match(ch):
            if start is None:
                start = prev = cp
            elif cp == prev + 1:
                prev = cp
            else:
                ranges.append((start, prev))
                start = prev = cp
    if start is not None:
        ranges.append((start, prev))
    return ranges


_MARKS = _mark_ranges()
_W = re.compile(r"\w")


def is_word_char(c):
    if _W.match(c):
        return True
    cp = ord(c)
    return any(a <= cp <= b for a, b in _MARKS)


_SPACELESS = [
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF),
    (0x3040, 0x309F), (0x30A0, 0x30FF), (0x31F0, 0x31FF), (0xAC00, 0xD7AF),
    (0x0E00, 0x0E7F), (0x0E80, 0x0EFF), (0x1780, 0x17FF), (0x19E0, 0x19FF),
    (0x1000, 0x109F), (0xAA60, 0xAA7F), (0xA9E0, 0xA9FF),
]


def is_spaceless(c):
    cp = ord(c)
    return any(a <= cp <= b for a, b in _SPACELESS)


def is_space(c):
    return c.isspace()


_INVISIBLE = [(0x00AD, 0x00AD), (0x061C, 0x061C), (0x200B, 0x200F), (0x202A, 0x202E),
              (0x2060, 0x2064), (0x2066, 0x2069), (0xFEFF, 0xFEFF)]


def is_invisible(c):
    cp = ord(c)
    return any(a <= cp <= b for a, b in _INVISIBLE)


_DOUBLE_QUOTES = set('"\u201c\u201d\u201e\u201f\u00ab\u00bb\u301d\u301e\u2033')
_SINGLE_QUOTES = set("'\u2018\u2019\u201a\u201b\u2039\u203a\u2032`\u00b4")
_DASHES = set("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\u2e3a\u2e3b")


def punctuation_key(c):
    if c in _DOUBLE_QUOTES:
        return '"'
    if c in _SINGLE_QUOTES:
        return "'"
    if c in _DASHES:
        return "-"
    return c


_NUMBER_SEPARATORS = set(".,'\u2019\u066b\u066c")


def is_numeric(c):
    return unicodedata.category(c) in ("Nd", "Nl", "No")


def normalize(s):
    return unicodedata.normalize("NFKC", s).casefold()


def score_tokens(s):
    """(class, key) pairs of normalized text; class is 'w', 'n' or 'p'."""
    out = []
    i, n = 0, len(s)

    def run_end(k):
        while k < n and is_word_char(s[k]) and not is_spaceless(s[k]):
            k += 1
        return k

    while i < n:
        c = s[i]
        if is_space(c) or is_invisible(c):
            i += 1
        elif not is_word_char(c):
            out.append(("p", punctuation_key(c)))
            i += 1
        elif is_spaceless(c):
            out.append(("w", c))
            i += 1
        else:
            end = run_end(i)
            if not all(is_numeric(ch) for ch in s[i:end]):
                out.append(("w", s[i:end]))
                i = end
                continue
            while end < n and s[end] in _NUMBER_SEPARATORS:
                nxt = end + 1
                nend = run_end(nxt)
                if nend == nxt or not all(is_numeric(ch) for ch in s[nxt:nend]):
                    break
                end = nend
            out.append(("n", s[i:end].replace("\u2019", "'")))
            i = end
    return out


def classes(text):
    """(scored, numbers, punctuation): words, or what stands in for them."""
    toks = score_tokens(normalize(text))
    words = [k for c, k in toks if c == "w"]
    numbers = [k for c, k in toks if c == "n"]
    punct = [k for c, k in toks if c == "p"]
    if words:
        return words, numbers, punct
    if numbers:
        return numbers, [], punct
    return punct, [], []


def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j - 1] + (x != y), prev[j] + 1, cur[j - 1] + 1))
        prev = cur
    return prev[-1]


def score(a, b, codes_a=0, codes_b=0):
    if a == b and codes_a == codes_b:
        return 100
    wa, na, pa = classes(a)
    wb, nb, pb = classes(b)
    d = lev(wa, wb)
    longest = max(len(wa), len(wb))
    words = 100 if d == 0 else (100 * (longest - d)) // longest
    points = lev(na, nb) + lev(pa, pb) + abs(codes_a - codes_b)
    return min(99, max(0, words - points))


def _selftest():
    assert score("a b c", "a b c") == 100
    assert score("A b c", "a b c") == 99
    assert score("a b c d", "a b x d") == 75
    assert score("one two three", "one two") == 66
    assert score("", "x") == 0
    assert score(" ", "") == 99
    assert score("The talks ended.", "The talks ended") == 99
    assert score("Growth was 3.9%.", "Growth was 4.2%.") == 99
    assert score("It\u2019s \u201cdone\u201d \u2013 now", "It's \"done\" - now") == 99
    assert score('Quotes around "one" word', "Quotes around one word") == 98
    assert score("12 34", "12 35") == 50
    assert score("Click here", "Click here", 0, 2) == 98
    assert classes("U.S. 4,200,000 don't")[1] == ["4,200,000"]
    print("selftest ok")


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--selftest":
        _selftest()
    elif len(sys.argv) == 3 and sys.argv[1] == "--jsonl":
        with open(sys.argv[2], encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if len(row) == 4:
                    print(score(row[0], row[2], row[1], row[3]))
                else:
                    print(score(row[0], row[1]))
    elif len(sys.argv) == 3:
        print(score(sys.argv[1], sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
