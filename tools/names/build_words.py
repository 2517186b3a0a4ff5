#!/usr/bin/env python3
"""Writes crates/hegui-names/data/words.txt from jieba's dictionary (MIT licence):

    python3 tools/names/build_words.py

Words of two to four Han characters seen at least 5 times, with a frequency bucket (1: 5-19,
2: 20-99, 3: 100-999, 4: 1000+); three- and four-character entries tagged as person names
(nr) are left out, since the model must learn names, not look them up.
"""

import os
import re

import jieba

DICT = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "hegui-names", "data", "words.txt")

HEADER = """# Chinese words of two to four characters with a frequency bucket (1: 5-19, 2: 20-99,
# 3: 100-999, 4: 1000+), derived from jieba's dictionary (MIT licence, github.com/fxsjy/jieba):
# words seen at least 5 times, three- and four-character entries tagged as person names left out.
# Rebuilt by tools/names/build_words.py.
"""


def main():
    han = re.compile(r"[\u4e00-\u9fff]+")
    with open(DICT, encoding="utf-8") as f, open(OUT, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for line in f:
            w, freq, tag = line.split()
            freq = int(freq)
            if freq < 5 or not 2 <= len(w) <= 4 or not han.fullmatch(w):
                continue
            if tag == "nr" and len(w) >= 3:
                continue
            bucket = 1 if freq < 20 else 2 if freq < 100 else 3 if freq < 1000 else 4
            out.write(f"{w} {bucket}\n")


if __name__ == "__main__":
    main()
