"""Tokens and stems: kabar's cheaper PySastrawi gives PySastrawi's own stems."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kabar.sastrawi import stemmer
from kabar.textproc import hash_words, stem_id

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example_words() -> list[str]:
    """Every distinct word of the bundled Indonesian articles: news words, names, numbers and scraping debris."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((EXAMPLES / "seeds").iterdir())]
    with open(EXAMPLES / "clickid-2019-09-10.jsonl", encoding="utf-8") as handle:
        texts += [f"{row['title']}\n{row['text']}" for row in map(json.loads, handle)]
    return sorted({word for text in texts for word in hash_words(text)})


STOCK_STEMS = """
import json, sys
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
stemmer = StemmerFactory().create_stemmer()
print(json.dumps([stemmer.stem(word) for word in json.load(sys.stdin)]))
"""


def test_kabar_s_pysastrawi_gives_the_stems_of_pysastrawi_as_shipped():
    """Guarded prefix rules and compiled patterns change the time a word takes, not its stem: checked against
    PySastrawi run untouched in a process of its own (kabar's changes reach into PySastrawi's modules)."""
    words = _example_words()
    stock = subprocess.run(
        [sys.executable, "-c", STOCK_STEMS], input=json.dumps(words), capture_output=True, text=True, check=True
    ).stdout
    ours = [stemmer().stem(word) for word in words]
    assert len(words) > 5000
    assert [(w, s, o) for w, s, o in zip(words, json.loads(stock), ours, strict=True) if s != o] == []


def test_affixed_words_share_a_stem_and_unknown_names_stay_whole():
    assert stem_id("mempengaruhi") == stem_id("pengaruh") == "pengaruh"
    assert stem_id("pembelian") == stem_id("membeli") == "beli"
    assert stem_id("kebakaran") == stem_id("terbakar") == "bakar"
    assert stem_id("abqaiq") == "abqaiq"
