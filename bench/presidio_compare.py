#!/usr/bin/env python3
"""hegui vs Microsoft Presidio on the same generated corpus: precision, recall, F1 and
throughput, per identifier kind. Not part of the test run.

    pip install presidio-analyzer
    cargo build --release
    python3 bench/presidio_compare.py --hegui target/release/hegui --people 5000

Presidio has no mainland-China recognizers (presidio #746), so it is given pattern
recognizers for them here: resident identity numbers with the GB 11643 check character as
its validator, and mobile numbers with the +86 forms; e-mail, credit-card (Luhn) and IP
recognizers are Presidio's own. No spaCy model can be downloaded in this environment, so
Presidio runs with a small tokenizer-only NLP engine: its pattern recognizers and
validators work as usual, its NER recognizers (names, places) are not used. Offsets are
compared in UTF-8 bytes, exactly, against truth.jsonl.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, EmailRecognizer, IpRecognizer

KINDS = {"CN_RESIDENT_ID": "cn_resident_id", "CN_MOBILE": "cn_mobile", "EMAIL_ADDRESS": "email",
         "CREDIT_CARD": "bank_card", "IP_ADDRESS": "ipv4"}
FILES = ["customers.csv", "events.jsonl", "app.log"]


class TokenizerOnly(NlpEngine):
    """Tokens for Presidio's context logic; no model, no NER."""

    TOKEN = re.compile(r"[A-Za-z0-9_@.+-]+|[^\sA-Za-z0-9]")

    def load(self):
        pass

    def is_loaded(self):
        return True

    def get_supported_entities(self):
        return []

    def get_supported_languages(self):
        return ["zh"]

    def process_text(self, text, language):
        toks = [(m.group(), m.start()) for m in self.TOKEN.finditer(text)]
        words = [t for t, _ in toks]
        return NlpArtifacts(entities=[], tokens=words, tokens_indices=[i for _, i in toks],
                            lemmas=[w.lower() for w in words], nlp_engine=self, language=language)

    def process_batch(self, texts, language, batch_size=1, n_process=1, **kwargs):
        for t in texts:
            yield t, self.process_text(t, language)

    def is_stopword(self, word, language):
        return False

    def is_punct(self, word, language):
        return not word.isalnum()


W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


class CnIdRecognizer(PatternRecognizer):
    def validate_result(self, pattern_text):
        s = pattern_text.upper()
        if len(s) != 18 or not s[:17].isdigit():
            return False
        return "10X98765432"[sum(int(c) * w for c, w in zip(s[:17], W)) % 11] == s[17]


def offline_tlds():
    """Presidio's e-mail check uses tldextract, which downloads the public-suffix list;
    use the snapshot bundled with tldextract instead (this machine has no network)."""
    try:
        import tldextract

        tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    except Exception:  # an older tldextract: Presidio then falls back by itself
        pass


def analyzer():
    offline_tlds()
    reg = RecognizerRegistry(supported_languages=["zh"])
    reg.add_recognizer(CnIdRecognizer(supported_entity="CN_RESIDENT_ID", supported_language="zh",
                                      patterns=[Pattern("cn_id", r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])", 0.5)],
                                      context=["身份证", "证件"]))
    reg.add_recognizer(PatternRecognizer(supported_entity="CN_MOBILE", supported_language="zh",
                                         patterns=[Pattern("cn_mobile", r"(?<![0-9])(?:(?:\+|00)86[ -]?)?1[3-9][0-9]{9}(?![0-9])", 0.5)],
                                         context=["手机", "电话"]))
    reg.add_recognizer(EmailRecognizer(supported_language="zh"))
    reg.add_recognizer(CreditCardRecognizer(supported_language="zh"))
    reg.add_recognizer(IpRecognizer(supported_language="zh"))
    return AnalyzerEngine(registry=reg, nlp_engine=TokenizerOnly(), supported_languages=["zh"])


def units(d):
    """(file, row, column, line, text) for every cell or line."""
    with open(os.path.join(d, "customers.csv"), encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        for i, row in enumerate(r, 1):
            for col, cell in zip(header, row):
                if cell:
                    yield ("customers.csv", i, col, None, cell)
    with open(os.path.join(d, "events.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            def walk(v, path):
                if isinstance(v, dict):
                    for k, x in v.items():
                        yield from walk(x, f"{path}.{k}" if path else k)
                elif isinstance(v, str) and v:
                    yield path, v
            for path, text in walk(json.loads(line), ""):
                yield ("events.jsonl", i, path, None, text)
    with open(os.path.join(d, "app.log"), encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            yield ("app.log", None, None, i, line.rstrip("\n"))


def score(found, truth):
    out = {}
    for kind in sorted(set(KINDS.values())):
        t = {x for x in truth if x[-1] == kind}
        f = {x for x in found if x[-1] == kind}
        tp = len(t & f)
        p = tp / len(f) if f else 0.0
        r = tp / len(t) if t else 0.0
        out[kind] = (p, r, 2 * p * r / (p + r) if p + r else 0.0, len(t), len(f))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hegui", default="target/release/hegui")
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--dir")
    a = ap.parse_args()
    d = a.dir or tempfile.mkdtemp(prefix="hegui-presidio-")
    subprocess.run([a.hegui, "gen", d, "--people", str(a.people), "--log-lines", str(a.people * 5),
                    "--gbk-rows", "0", "--db-rows", "0"], check=True, capture_output=True)
    truth = set()
    with open(os.path.join(d, "truth.jsonl"), encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            if t["file"] in FILES and not t["masked"] and t["kind"] in KINDS.values():
                truth.add((t["file"], t["row"], t["column"], t["line"], t["start"], t["end"], t["kind"]))
    data = list(units(d))
    nbytes = sum(os.path.getsize(os.path.join(d, f)) for f in FILES)

    eng = analyzer()
    found = set()
    t0 = time.perf_counter()
    for file, row, col, line, text in data:
        for res in eng.analyze(text=text, language="zh", entities=list(KINDS)):
            kind = KINDS[res.entity_type]
            s = len(text[:res.start].encode())
            e = len(text[:res.end].encode())
            found.add((file, row, col, line, s, e, kind))
    presidio_s = time.perf_counter() - t0
    presidio = score(found, truth)

    t0 = time.perf_counter()
    out = subprocess.run([a.hegui, "scan", *[os.path.join(d, f) for f in FILES], "--full", "--format", "jsonl",
                          "--threads", "1"], check=True, capture_output=True, text=True).stdout
    hegui_s = time.perf_counter() - t0
    mine = set()
    for line in out.splitlines():
        f = json.loads(line)
        if f["kind"] in KINDS.values() and not f["masked"]:
            mine.add((os.path.basename(f["source"]), f["row"], f["column"], f["line"], f["start"], f["end"], f["kind"]))
    hegui = score(mine, truth)

    print(f"corpus: {d} ({nbytes / 1e6:.1f} MB, {a.people} people; customers.csv, events.jsonl, app.log)")
    print(f"{'kind':16} {'truth':>7} | {'hegui P':>8} {'R':>6} {'F1':>6} | {'Presidio P':>10} {'R':>6} {'F1':>6}")
    for k in sorted(hegui):
        hp, hr, hf, n, _ = hegui[k]
        pp, pr, pf, _, _ = presidio[k]
        print(f"{k:16} {n:7d} | {hp:8.4f} {hr:6.4f} {hf:6.4f} | {pp:10.4f} {pr:6.4f} {pf:6.4f}")
    print(f"throughput, one core: hegui {nbytes / 1e6 / hegui_s:.1f} MB/s (whole process), "
          f"Presidio {nbytes / 1e6 / presidio_s:.3f} MB/s; ratio {presidio_s / hegui_s:.0f}x")


if __name__ == "__main__":
    sys.exit(main())
